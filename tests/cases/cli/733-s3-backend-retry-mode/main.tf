# retry_mode "adaptive" (client-side rate limiting) is refused, with
# why, at the argument.
terraform {
  backend "s3" {
    bucket     = "tfstate"
    key        = "a/terraform.tfstate"
    region     = "us-east-1"
    retry_mode = "adaptive"
  }
}

output "x" {
  value = "y"
}
