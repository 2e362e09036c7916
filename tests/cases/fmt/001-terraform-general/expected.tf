# Terraform's own fmt fixture (internal/command/testdata/fmt/general_*.tf):
# its input is misaligned on purpose.

terraform {
  required_providers {
    foo = { version = "1.0.0" }
    barbaz = {
      version = "2.0.0"
    }
  }
}

variable "instance_type" {

}

resource "foo_instance" "foo" {
  instance_type = var.instance_type
}

resource "foo_instance" "bar" {
  instance_type = "${var.instance_type}-2"
}

resource "foo_instance" "baz" {
  instance_type = "${var.instance_type}${var.instance_type}"

  beep "boop" {}
  beep "blep" {
    thingy = var.instance_type
  }
}

provider "" {
}

locals {
  name = (contains(["foo"], var.my_var) ? "${var.my_var}-bar" :
    contains(["baz"], var.my_var) ? "baz-${var.my_var}" :
  file("ERROR: unsupported type ${var.my_var}"))
  wrapped = (var.my_var == null ? 1 :
    var.your_var == null ? 2 :
  3)
}
