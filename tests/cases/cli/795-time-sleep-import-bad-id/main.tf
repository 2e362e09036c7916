# time_sleep import IDs upstream refuses, with its words
# (terraform-provider-time internal/provider/resource_time_sleep.go,
# ImportState): fewer than two parts or both durations empty (1, 2); a
# duration Go's time.ParseDuration refuses, the destroy one's error naming
# create_duration as upstream's does (3, 4, 5); a trigger that is not
# KEY=VALUE (6). Nothing is written.
resource "time_sleep" "w" {
  create_duration = "30s"
}
