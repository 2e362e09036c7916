# A destroy with nothing in the state, in the JSON UI: the plan's
# summary, then the destroy's, "Destroy complete! Resources: 0
# destroyed." (views/json/change_summary.go; views/apply.go ResourceCount
# runs after every apply).
resource "random_id" "never_created" {
  byte_length = 4
}
