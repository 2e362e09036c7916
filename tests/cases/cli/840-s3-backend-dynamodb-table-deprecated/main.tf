# Terraform 1.11 deprecates dynamodb_table for use_lockfile: its warning
# at the argument on every command that configures the backend (init,
# then plan here), never an error beside use_lockfile, which moves from
# one to the other. Both lock: the lock object and the table's item.
terraform {
  backend "s3" {
    bucket         = "tfstate"
    key            = "a/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "locks"
    use_lockfile   = true
  }
}

output "x" {
  value = "y"
}
