# Issue 20, finding 5: values derived from a sensitive variable stay
# sensitive after apply (sensitive_attributes in the state).
variable "seed" {
  type      = string
  sensitive = true
  default   = "tern-seed"
}

resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = var.seed
  keepers = {
    s = var.seed
    p = "plain"
  }
}
