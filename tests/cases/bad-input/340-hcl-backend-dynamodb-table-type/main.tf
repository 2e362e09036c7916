terraform {
  backend "s3" {
    bucket         = "tfstate"
    key            = "team/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = ["locks"]
  }
}
