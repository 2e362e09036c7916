# An unseeded random_string created (1), then replaced when its keepers
# change (2). Its result differs on every run: mask-random shows it as
# <random_string.s.result> (the replacement's as <...#2>; the id is the
# same value), and the outputs check what is fixed: the length, the
# character set (lower case and digits only), min_numeric, id being the
# result, and the keepers.
variable "k" {
  default = "1"
}

resource "random_string" "s" {
  length      = 16
  upper       = false
  special     = false
  min_numeric = 3
  keepers     = { k = var.k }
}

output "result" {
  value = random_string.s.result
}

output "checks" {
  value = {
    length       = length(random_string.s.result)
    charset      = can(regex("^[a-z0-9]{16}$", random_string.s.result))
    min_numeric  = length(regexall("[0-9]", random_string.s.result)) >= 3
    id_is_result = random_string.s.id == random_string.s.result
    keepers      = random_string.s.keepers
  }
}
