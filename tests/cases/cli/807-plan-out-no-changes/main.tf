# A plan saved with -out that changes nothing: no "Saved the plan to"
# next step (backend/local/backend_plan.go calls PlanNextStep only for a
# plan that is not empty); the plan file is written all the same.
variable "v" {
  default = "1"
}

output "o" {
  value = var.v
}
