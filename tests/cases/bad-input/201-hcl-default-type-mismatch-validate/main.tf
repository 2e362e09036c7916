variable "v" {
  type    = number
  default = "abc"
}
