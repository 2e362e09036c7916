# A random_password: its result and bcrypt_hash never appear in the
# plan, the apply, the outputs or state show (a golden output holding the
# random value would differ on every run). Their lengths (and the hash's
# cost-10 "$2a$" prefix) are what an explicit nonsensitive() gives.
variable "rotation" {
  default = "1"
}

resource "random_password" "db" {
  length  = 16
  keepers = { rotation = var.rotation }
}

output "pw" {
  value     = random_password.db.result
  sensitive = true
}

output "lengths" {
  value = nonsensitive({
    result      = length(random_password.db.result)
    bcrypt_hash = length(random_password.db.bcrypt_hash)
    prefix      = substr(random_password.db.bcrypt_hash, 0, 7)
  })
}
