# ec2_metadata_service_endpoint must be a URL with a scheme and a host,
# and its mode IPv4 or IPv6 (backend.go, PrepareConfig).
terraform {
  backend "s3" {
    bucket                             = "tfstate"
    key                                = "a/terraform.tfstate"
    region                             = "us-east-1"
    ec2_metadata_service_endpoint      = "169.254.169.254"
    ec2_metadata_service_endpoint_mode = "IPv5"
  }
}
