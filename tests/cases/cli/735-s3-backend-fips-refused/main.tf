# use_fips_endpoint = true without endpoints.s3: tern knows no FIPS host
# names, so it refuses rather than call the ordinary endpoint.
terraform {
  backend "s3" {
    bucket            = "tfstate"
    key               = "a/terraform.tfstate"
    region            = "us-east-1"
    use_fips_endpoint = true
  }
}

output "x" {
  value = "y"
}
