# A deprecated argument beside its replacement: Terraform's errors.
terraform {
  backend "s3" {
    bucket           = "tfstate"
    key              = "a/terraform.tfstate"
    region           = "us-east-1"
    endpoint         = "http://127.0.0.1:1"
    endpoints        = { s3 = "http://127.0.0.1:1" }
    force_path_style = true
    use_path_style   = true
  }
}
