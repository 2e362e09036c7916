# hclwrite format_test.go: bracket nesting, also when brackets are not
# symmetrical within lines.
locals {
  a = [
    [
      b
    ]
  ]
  c = [[
    d
  ]]
  e = [[
    [
      f
    ]]
  ]
  g = foo(
    1,
    -2,
    x * y,
  )
}
