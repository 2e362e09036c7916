# Issue 18: a sensitive output of the other stack is hidden where it is,
# not the whole outputs object (the state records its path,
# outputs.db_password, in sensitive_attributes). The any-value attributes
# print through upstream's JSON renderer: object keys bare.
data "terraform_remote_state" "a" {
  backend = "local"
  config = {
    path = "a.tfstate"
  }
}

# Something to apply, so that the apply saves the data source's read.
resource "random_integer" "n" {
  min  = 1
  max  = 10
  seed = data.terraform_remote_state.a.outputs.name
}
