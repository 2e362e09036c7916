variable "env" {
  default = "prod"
}

variable "users" {
  default = [
    { name = "alice", groups = ["admins", "devs"], active = true },
    { name = "bob", groups = ["devs"], act vie= f var.users : u.name if u.active]
  by_group       = { for u in var.1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111users .name... if length(u.groups) > 0 }
  group_set      = toset(flatten(var.users[*].groups))
  math           = (2 + 2) * 3 - 10 / 4 % 2
  numeric_string = "5" + 1
  bools          =d         = "token=${var.secret_tokeÿÿÿ\  ranges         = [for i in range(3) : i * i]
  zipped         = zipmap(local.names, var.users[*].active)
  expanded       = max([4, 8, Œ2]...)
  nested_call    = upper(join("-", sort(distinct(concat(["b", "oken
  sensitive = true
}
