data "terraform_remote_state" "network" {
  backend = "s3"
  config = {
    bucket = "tfstate"
    key    = "network/terraform.tfstate"
    region = "us-east-1"
    endpoints = {
      s3 = "http://127.0.0.1:1"
    }
    use_path_style = true
  }
  workspace = "staging"
  defaults = {
    subnets = []
  }
}

data "terraform_remote_state" "local" {
  backend = "local"
  config = {
    path = "other/terraform.tfstate"
  }
  outputs = {}
}

data "terraform_remote_state" "nobackend" {
  config = {
    path = "x"
  }
}

resource "random_id" "x" {
  byte_length = 4
  keepers = {
    vpc = data.terraform_remote_state.network.outputs.vpc_id
  }
}
