terraform {
  required_version = ">= 1.5"
}



variable "x" {
  default = "a"
}


# two blank lines above are kept
output "x" { value = var.x }
