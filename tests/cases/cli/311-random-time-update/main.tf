# time_sleep updated in place (create_duration), every other resource
# refreshed and left alone.
variable "d" {
  default = "0s"
}
resource "random_integer" "n" {
  min  = 1
  max  = 100
  seed = "abc"
}
resource "random_shuffle" "sh" {
  input      = ["a", "b", "c"]
  seed       = "x"
  depends_on = [random_integer.n]
}
resource "random_password" "p" {
  length     = 7
  depends_on = [random_shuffle.sh]
}
resource "time_static" "t" {
  rfc3339    = "2024-01-02T03:04:05Z"
  depends_on = [random_password.p]
}
resource "time_sleep" "z" {
  create_duration = var.d
  depends_on      = [time_static.t]
}
