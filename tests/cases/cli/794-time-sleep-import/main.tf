# time_sleep imported: the ID is CREATEDURATION,DESTROYDURATION and then
# the triggers, KEY=VALUE each (terraform-provider-time
# internal/provider/resource_time_sleep.go); the id is the time of the
# import (RFC 3339, <TIME>). No sleep at import; the plan after it is
# empty.
resource "time_sleep" "w" {
  create_duration  = "30s"
  destroy_duration = "1m"
  triggers = {
    rotation = "1"
  }
}
