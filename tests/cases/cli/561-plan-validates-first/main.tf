# plan validates the configuration first, as Terraform's local backend
# does: a reference to an attribute random_string does not have is
# refused although no instance exists (count = 0) to evaluate it, with
# validate's diagnostic and without "Planning failed".
resource "random_string" "s" {
  count  = 0
  length = 8
}

output "o" {
  value = length(random_string.s) > 0 ? random_string.s[0].resulte : ""
}
