# AWS_USE_FIPS_ENDPOINT stands for an unset use_fips_endpoint, with the
# argument's rule (refused without endpoints.s3). As backend.go reads it
# (boolAttrDefaultEnvVarOk), any non-empty value means true, "false" too.
terraform {
  backend "s3" {
    bucket = "tfstate"
    key    = "a/terraform.tfstate"
    region = "us-east-1"
  }
}
