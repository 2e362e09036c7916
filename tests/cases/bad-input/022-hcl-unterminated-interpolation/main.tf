locals {
  x = "${"
}
