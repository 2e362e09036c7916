terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region = "us-east-1"
}

resourse "aws_iam_role" "x" {
  name = "x"
}

resource "aws_iam_role" {
  name = "no-name"
}

variable "a" "b" {}

region = "eu-west-1"
