terraform {
  backend "s3" {
    bucket       = "tfstate"
    key          = "moved/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
  }
}
resource "random_integer" "server" {
  min  = 1
  max  = 1000
  seed = "migrate"
}
