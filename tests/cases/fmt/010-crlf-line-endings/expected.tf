locals {
  a  = 1 # one
  bb = "two"
}
