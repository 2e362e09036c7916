# AWS_S3_ENDPOINT, deprecated for AWS_ENDPOINT_URL_S3, is still read
# after it (backend.go: endpoints.s3, endpoint, AWS_ENDPOINT_URL_S3,
# AWS_S3_ENDPOINT), with Terraform's warning: here it wins over the
# runner's AWS_ENDPOINT_URL, and is refused as plain http off loopback.
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"
  }
}
