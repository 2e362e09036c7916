# fmt.go formatValueExpr: only a value that is one interpolation and nothing
# else is unwrapped.
resource "aws_iam_role" "r" {
  name = "${var.name}"
  nested = "${lower("${var.name}")}"
  two = "${var.a}${var.b}"
  text = "x-${var.a}"
  stripped = "${~ var.a ~}"
  spaced = "${
    var.a
  }"
  multi = "${var.a ? "x" :
  "y"}"
  parens = "${(var.a ? "x" :
  "y")}"
  plain = "plain"
}
