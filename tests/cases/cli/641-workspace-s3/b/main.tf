terraform {
  backend "s3" {
    bucket       = "tfstate"
    key          = "app/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
  }
}
resource "random_integer" "server" {
  min  = 1
  max  = 1000
  seed = "ws"
}
output "ws" {
  value = terraform.workspace
}
