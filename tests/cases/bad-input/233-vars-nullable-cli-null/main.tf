variable "v" {
  type     = list(string)
  nullable = false
}
