# nullable = false: a null given takes the default; without a default it
# is "Required variable not set". A nullable variable stays null.
variable "region" {
  type     = string
  default  = "eu-west-1"
  nullable = false
}

variable "tags" {
  type     = map(string)
  nullable = false
}

variable "note" {
  type    = string
  default = "x"
}

output "region" {
  value = var.region
}

output "tags" {
  value = var.tags
}

output "note_is_null" {
  value = var.note == null
}
