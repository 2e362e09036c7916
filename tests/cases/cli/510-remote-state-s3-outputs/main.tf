data "terraform_remote_state" "a" {
  backend = "s3"
  config = {
    bucket                      = "tfstate"
    key                         = "a/terraform.tfstate"
    region                      = "us-east-1"
    use_path_style              = true
    skip_credentials_validation = true
  }
}
resource "random_id" "x" {
  byte_length = 2
  keepers = {
    name   = data.terraform_remote_state.a.outputs.name
    subnet = data.terraform_remote_state.a.outputs.subnets[1]
    env    = data.terraform_remote_state.a.outputs.tags.env
  }
}
output "keepers" {
  value = random_id.x.keepers
}
output "token" {
  value     = data.terraform_remote_state.a.outputs.token
  sensitive = true
}

# data "terraform_remote_state": stack A (a/) keeps its state in S3 with
# outputs of each kind; this stack reads them with the s3 backend (the sim's
# endpoint from AWS_ENDPOINT_URL) and uses them in a resource. The sensitive
# one stays sensitive (here) and keeps its value (542).
