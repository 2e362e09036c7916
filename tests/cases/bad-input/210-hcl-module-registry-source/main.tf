module "consul" {
  source  = "hashicorp/consul/aws"
  version = "0.1.0"
}

variable "n" {
  type    = number
  default = 1
}

output "o" {
  value = var.n
}
