# use_fips_endpoint with endpoints.s3 but a dynamodb_table and no
# endpoints.dynamodb: the lock table would be called at AWS's ordinary
# endpoint, so tern refuses, naming the endpoint to set.
terraform {
  backend "s3" {
    bucket            = "tfstate"
    key               = "a/terraform.tfstate"
    region            = "us-east-1"
    use_fips_endpoint = true
    dynamodb_table    = "locks"
    endpoints         = { s3 = "http://127.0.0.1:1" }
  }
}
