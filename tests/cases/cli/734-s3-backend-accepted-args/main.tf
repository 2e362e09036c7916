# Arguments that change nothing against the sim but that users write:
# retry_mode "standard" (how tern retries), sts_region, endpoints.sso (used
# by SSO profiles only), no_proxy, insecure. The apply works.
terraform {
  backend "s3" {
    bucket     = "tfstate"
    key        = "a/terraform.tfstate"
    region     = "us-east-1"
    retry_mode = "STANDARD"
    sts_region = "eu-west-1"
    endpoints  = { sso = "https://portal.sso.example.com" }
    no_proxy   = "example.com"
    insecure   = false
  }
}

output "x" {
  value = "y"
}
