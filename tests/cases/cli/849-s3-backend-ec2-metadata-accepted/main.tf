# The instance metadata arguments are taken: the credential chain asks
# that endpoint when nothing before it gave keys (here the runner's
# static keys do, so it is not called).
terraform {
  backend "s3" {
    bucket                             = "tfstate"
    key                                = "a/terraform.tfstate"
    region                             = "us-east-1"
    ec2_metadata_service_endpoint      = "http://127.0.0.1:1"
    ec2_metadata_service_endpoint_mode = "IPv6"
    skip_metadata_api_check            = true
  }
}
