# An output's type is cty's type of its value (output -json, show -json
# and the state's outputs): tolist, toset and tomap make a list, a set
# and a map, whose element type is the elements' (an empty one's
# "dynamic"), where the bare literal would be a tuple or an object; a
# conditional whose other result is null has the type of the one taken.
variable "on" {
  type    = bool
  default = true
}

output "list" {
  value = tolist(["a", "b"])
}

output "set" {
  value = toset(["b", "a"])
}

output "map" {
  value = tomap({ a = "x", b = "y" })
}

output "empty_list" {
  value = tolist([])
}

output "tuple" {
  value = ["a", "b"]
}

output "chosen" {
  value = var.on ? tolist(["x"]) : null
}
