variable "n" {
  type    = number
  default = "abc"
}
variable "l" {
  type    = list(object({ name = string }))
  default = [{ name = "a" }, { nam = "b" }]
}
variable "ok" {
  type    = number
  default = "5"
}
