# hclwrite's spacing rules (hashicorp/hcl hclwrite/format_test.go).
locals {
  a = 1
  b = b.c
  c = b[c]
  d = b()[c]
  e = ["hello"][0]
  f = (x + 2)
  g = (x * 2)
  h = (x + -2)
  i = (x * -2)
  j = (-2 + 1)
  k = foo(1, -2, x * y, y, z)
  l = "hello ${name}"
  m = "hello ${~name~}"
  n = [[]]
  o = !true
  p = [for s in var.list : upper(s) if s != ""]
  q = { for k, v in var.map : k => v... }
  r = var.list[*].id
  s = var.list.*.id
  t = x ? y : z
  u = concat(var.lists...)
  v = {}
  w = { a = 1, b = 2 }
  x = a && b || !c
  y = 1 - 2 == -1
}
