# A failed init saves nothing: Terraform writes the backend's record
# (.terraform/terraform.tfstate) only once init succeeded. An init
# pointed at a bucket that does not exist fails; the next init, without
# the bad -backend-config, is a first init and not a "change". A failed
# -reconfigure then leaves the record of the init before it, which plan
# uses.
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
