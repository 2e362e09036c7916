# An unseeded random_id created (1), then replaced when its keepers change
# (2). Its values differ on every run: mask-random shows them as
# <random_id.i.ATTR> (the replacement's as <...#2>), and the outputs
# check what is fixed: each form's length and alphabet, id being b64_url,
# b64_std being b64_url in the standard alphabet with its padding, and
# the keepers.
variable "k" {
  default = "1"
}

resource "random_id" "i" {
  byte_length = 8
  keepers     = { k = var.k }
}

output "id" {
  value = random_id.i.id
}

output "checks" {
  value = {
    byte_length   = random_id.i.byte_length
    hex           = can(regex("^[0-9a-f]{16}$", random_id.i.hex))
    dec           = can(regex("^[0-9]{1,20}$", random_id.i.dec))
    b64_url       = can(regex("^[A-Za-z0-9_-]{11}$", random_id.i.b64_url))
    b64_std       = can(regex("^[A-Za-z0-9+/]{11}=$", random_id.i.b64_std))
    id_is_b64_url = random_id.i.id == random_id.i.b64_url
    b64_agree     = replace(replace(trimsuffix(random_id.i.b64_std, "="), "+", "-"), "/", "_") == random_id.i.b64_url
    keepers       = random_id.i.keepers
  }
}
