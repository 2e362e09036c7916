resource "random_string" "s" {
  length = 0
}

resource "time_sleep" "w" {
  create_duration = "30"
}
