data "aws_nothing" "d" {
}
