terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 2.0"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9.0"
    }
  }
}
