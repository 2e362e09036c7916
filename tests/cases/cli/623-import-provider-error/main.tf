# An import the provider refuses stops at the provider's own error, as in
# Terraform; "Cannot import non-existent remote object" is only for an ID
# that names no object.
resource "time_static" "t" {}
