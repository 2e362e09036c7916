# A destroy with nothing in the state: Terraform's destroy-mode "No
# changes." (jsonformat/plan.go renderHuman, plans.DestroyMode) and its
# summary, which counts only what was destroyed (views/apply.go).
resource "random_id" "never_created" {
  byte_length = 4
}
