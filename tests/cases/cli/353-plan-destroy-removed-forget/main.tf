# plan -destroy destroys an object a removed block would forget, as
# Terraform 1.9 does: its destroy plan makes a delete for every object
# of the state (internal/terraform/graph_builder_plan.go: orphans are
# not planned in walkPlanDestroy, and node_resource_plan_destroy.go's
# NodePlanDestroyableResourceInstance plans a delete without looking at
# removed blocks); only a normal plan forgets.
resource "random_integer" "kept" {
  min  = 1
  max  = 5
  seed = "kept"
}

removed {
  from = random_integer.old

  lifecycle {
    destroy = false
  }
}
