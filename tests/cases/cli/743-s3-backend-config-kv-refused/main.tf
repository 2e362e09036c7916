# A value given with -backend-config=K=V is checked as the block's are
# (no place to show: it came from the command line).
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"

  }
}

output "x" {
  value = "y"
}
