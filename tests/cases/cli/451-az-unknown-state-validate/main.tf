data "aws_availability_zones" "az" {
  state = "up"
}
