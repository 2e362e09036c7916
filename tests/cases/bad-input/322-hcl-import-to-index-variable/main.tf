# An import's `to` index may use each.key and each.value only, as in
# Terraform 1.9: without for_each the address must be static (hcl's
# AbsTraversalForExpr), with for_each the index sees only `each`
# (evalImportToKeyExpression).
variable "key" {
  type    = string
  default = "a"
}

locals {
  key = "a"
}

resource "random_integer" "r" {
  for_each = toset(["a"])
  min      = 1
  max      = 5
}

import {
  to = random_integer.r[var.key]
  id = "3,1,5"
}

import {
  for_each = toset(["a"])
  to       = random_integer.r["${each.key}${local.key}"]
  id       = "3,1,5"
}
