# Terraform 1.x's deprecated arguments still work, each with Terraform's
# warning: force_path_style is use_path_style, shared_credentials_file a
# one-file shared_credentials_files, iam_endpoint and sts_endpoint
# endpoints.iam and endpoints.sts (unused here: the runner's credentials
# are static keys).
terraform {
  backend "s3" {
    bucket                  = "tfstate"
    key                     = "a/terraform.tfstate"
    region                  = "us-east-1"
    force_path_style        = true
    shared_credentials_file = "credentials"
    iam_endpoint            = "http://127.0.0.1:1"
    sts_endpoint            = "http://127.0.0.1:1"
  }
}

output "x" {
  value = "y"
}
