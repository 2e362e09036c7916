# A failed apply keeps the check results it has, as Terraform records
# them after every apply walk: what this apply did not finish is unknown
# (random_integer.after passed its precondition at plan but was never
# applied), what it finished is checked again, and a resource with
# count = 0 passes (its instances are known: there are none).
variable "length" {
  type    = number
  default = 2
}

resource "random_password" "short" {
  length    = var.length
  min_upper = 5
}

resource "random_integer" "after" {
  count      = 2
  min        = 1
  max        = 5
  seed       = "tern${count.index}"
  depends_on = [random_password.short]

  lifecycle {
    precondition {
      condition     = var.length > 0
      error_message = "The length is not positive."
    }
  }
}

resource "random_integer" "alone" {
  min  = 1
  max  = 5
  seed = "tern"

  lifecycle {
    postcondition {
      condition     = self.result > 0
      error_message = "The result is not positive."
    }
  }
}

resource "random_integer" "none" {
  count = 0
  min   = 1
  max   = 5

  lifecycle {
    precondition {
      condition     = var.length > 0
      error_message = "The length is not positive."
    }
  }
}
