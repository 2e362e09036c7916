# resource_changes in upstream's order (addrs.AbsResourceInstance.Less):
# module instances compared step by step, int keys by value ([9] before
# [10]), no key before an int before a string.
module "n" {
  source = "./modules/profile"
  count  = 11
  role   = "tern-n-${count.index}"
}

module "m" {
  source   = "./modules/profile"
  for_each = toset(["b", "a\"q", "a"])
  role     = "tern-m-${length(each.key)}"
  suffix   = each.key == "a" ? "x" : "y"
}

module "m2" {
  source = "./modules/profile"
  role   = "tern-m2"
}
