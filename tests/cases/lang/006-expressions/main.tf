variable "env" {
  default = "prod"
}

variable "users" {
  default = [
    { name = "alice", groups = ["admins", "devs"], active = true },
    { name = "bob", groups = ["devs"], active = false },
    { name = "carol", groups = [], active = true },
  ]
}

variable "secret_token" {
  default   = "t0ps3cret"
  sensitive = true
}

locals {
  is_prod        = var.env == "prod"
  instance_count = local.is_prod ? 3 : 1
  names          = var.users[*].name
  legacy_first   = var.users.0.name
  active         = [for u in var.users : u.name if u.active]
  by_group       = { for u in var.users : u.groups[0] => u.name... if length(u.groups) > 0 }
  group_set      = toset(flatten(var.users[*].groups))
  math           = (1 + 2) * 3 - 10 / 4 % 2
  numeric_string = "5" + 1
  bools          = !local.is_prod || (true && "true")
  lookup_default = lookup({ a = 1 }, "b", "none")
  coalesced      = coalesce("", null, var.env)
  regex_parts    = regex("^arn:aws:iam::(\\d+):role/(.+)$", "arn:aws:iam::123456789012:role/app")
  replaced       = replace("a.b.c", "/[.]/", "-")
  try_missing    = try(var.users[10].name, "nobody")
  can_index      = can(var.users[0].name)
  token_length   = length(var.secret_token)
  masked         = "token=${var.secret_token}"
  ranges         = [for i in range(3) : i * i]
  zipped         = zipmap(local.names, var.users[*].active)
  expanded       = max([4, 8, 2]...)
  nested_call    = upper(join("-", sort(distinct(concat(["b", "a"], ["a", "c"])))))
}

output "summary" {
  value = "${var.env}: ${local.instance_count} instances, ${length(local.active)} active users"
}

output "token" {
  value     = var.secret_token
  sensitive = true
}
