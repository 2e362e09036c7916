# Outputs are typed as Terraform types them: from the resource attribute's
# schema (a list(string) attribute is a list, keepers a map) or the
# variable's type constraint, and from the value only where the
# expression builds it (a literal list is a tuple, a literal object an
# object). `output -json`, `show -json` and the state agree.
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

variable "sizes" {
  type    = map(number)
  default = { small = 1 }
}

resource "random_shuffle" "s" {
  input        = ["x", "y", "z"]
  seed         = "fixed"
  result_count = 2
  keepers = {
    k = "v"
  }
}

output "shuffled" {
  value = random_shuffle.s.result
}

output "keepers" {
  value = random_shuffle.s.keepers
}

output "names" {
  value = var.names
}

output "sizes" {
  value = var.sizes
}

output "literal" {
  value = ["p", "q"]
}

output "literal_object" {
  value = { k = "v" }
}

output "seed" {
  value = (random_shuffle.s.seed)
}
