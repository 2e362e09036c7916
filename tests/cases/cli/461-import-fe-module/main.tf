# Import blocks with for_each whose `to` indexes a module call by each.key:
# two roles made outside tern (sim.json) adopted into module instances.
# (test_cli_import_for_each.c)
variable "roles" {
  type = map(string)
  default = {
    app = "legacy-app"
    ci  = "legacy-ci"
  }
}

module "roles" {
  source   = "./modules/role"
  for_each = var.roles
  name     = each.value
}

import {
  for_each = var.roles
  to       = module.roles[each.key].aws_iam_role.this
  id       = each.value
}
