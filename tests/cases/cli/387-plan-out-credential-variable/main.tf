# A credential given to the provider through a variable that is not
# declared sensitive: its value is a secret all the same.
variable "key" {
  type    = string
  default = "AKIDCASEVARIABLE0387"
}

provider "aws" {
  region     = "us-east-1"
  access_key = var.key
  secret_key = "case/387/SECRET/literal"
}

resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "abc"
}
