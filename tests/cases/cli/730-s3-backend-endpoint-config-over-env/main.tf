# endpoints.s3 in the backend block wins over AWS_ENDPOINT_URL (the
# runner's sim), as in Terraform's backend.go and the SDKs: this
# endpoint is plain http off loopback, so tern refuses it instead of
# quietly using the environment's.
terraform {
  backend "s3" {
    bucket    = "tfstate"
    key       = "a/terraform.tfstate"
    region    = "us-east-1"
    endpoints = { s3 = "http://s3.example.com" }
  }
}
