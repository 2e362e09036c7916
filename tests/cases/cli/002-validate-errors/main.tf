resource "aws_iam_role" "a" {
  name = "a"
  path = [ "/" "/x" ]
  description = "fine"
}

resource "aws_iam_role" "b" {
  name = = "b"
  tags = { Owner = "me" Team = "x" }
}

variable "v" {
  default = 'single'
}

resource "aws_iam_user" "u" {
  name = "unterminated
}
