terraform {
  backend "s3" {
    bucket       = "tfstate"
    key          = "a/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
    encrypt      = true
  }
}

output "x" {
  value = "y"
}
