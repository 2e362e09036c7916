locals {
  1abc = 2
}
