# Workspaces on the S3 backend: `workspace new` writes an empty state at
# env:/NAME/KEY, `list` finds the workspaces with ListObjectsV2 and
# ignores keys that are not KEY, an apply in a workspace writes that
# workspace's object (terraform.workspace names it), TF_WORKSPACE selects
# it from another directory (b/, the same backend), and `delete` refuses
# the active workspace, and a non-empty one without -force.
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
