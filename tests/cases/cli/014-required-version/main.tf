terraform {
  required_version = ">= 1.3, < 2.0"
}

terraform {
  required_version = "~> 2.1"
}
