locals {
  x = "%{ for a in [1] }${a}"
}
