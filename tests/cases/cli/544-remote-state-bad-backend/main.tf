data "terraform_remote_state" "a" {
  backend = "s3"
  config  = { bucket_name = "tfstate" }
}
data "terraform_remote_state" "b" {
  backend = "gcs"
}

# data "terraform_remote_state": what the backend does not
# take, and a backend tern does not have.
