# Output changes as Terraform renders them (jsonformat/plan.go
# renderHumanDiffOutputs, differ/output.go): names in one order, padded to
# the longest of every output, unchanged ones included; an object's keys
# bare, its unchanged members counted as attributes but id; a deleted
# member without " -> null"; a value that changes kind printed whole as
# deleted, then whole as created (renderers/type_change.go).
variable "v" {
  default = 1
}

output "a_number" {
  value = var.v
}

output "an_unchanged_output_with_a_long_name" {
  value = "same"
}

output "kind" {
  value = jsondecode(var.v == 1 ? "[\"a\", \"b\"]" : "{\"k\": \"v\"}")
}

output "members" {
  value = { for k in(var.v == 1 ? ["gone", "kept"] : ["added", "kept"]) : k => k == "kept" ? "k" : "${k}-${var.v}" }
}

output "obj" {
  value = jsondecode("{\"id\": \"x\", \"n\": ${var.v}, \"same\": true}")
}
