terraform {
  required_providers {
    random = {
      source                = "hashicorp/random"
      configuration_aliases = [random.dst]
    }
  }
}

resource "random_id" "x" {
  provider    = random.dst
  byte_length = 4
}
