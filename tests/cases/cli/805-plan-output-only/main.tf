# A plan that changes an output and nothing else: the output change and
# what applying it means (jsonformat/plan.go renderHuman), not "No
# changes."; the apply then has no step to set off with a blank line.
variable "v" {
  default = "1"
}

output "o" {
  value = var.v
}
