# A saved plan's prior_state holds the deposed objects of the state it
# was made against, as jsonstate writes them beside their instances'
# current objects (with deposed_key), and resource_changes the delete of
# each with its "deposed" key: the configuration no longer has the role,
# so the current object is deleted too.
variable "unused" {
  type    = string
  default = ""
}
