provider "nope" {}
