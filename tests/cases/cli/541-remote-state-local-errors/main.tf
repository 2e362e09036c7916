data "terraform_remote_state" "a" {
  backend = "local"
}
data "terraform_remote_state" "b" {
  backend = "local"
  config = {
    path = "other.tfstate"
  }
}

# data "terraform_remote_state" with the local backend: no state file at
# the default path (a), Terraform's error; a file that is not a state (b).
