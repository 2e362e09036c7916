# The Databricks resources that update in place (group, instance profile,
# cluster), changed by one variable: the calls, in order, and the state.
variable "v" {
  default = "1"
}

resource "databricks_group" "g" {
  display_name         = "data-eng"
  allow_cluster_create = var.v == "2"
}

resource "databricks_instance_profile" "ip" {
  instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/ip-0"
  skip_validation      = var.v == "1"
  depends_on           = [databricks_group.g]
}

resource "databricks_group_instance_profile" "gip" {
  group_id            = databricks_group.g.id
  instance_profile_id = databricks_instance_profile.ip.id
}

resource "databricks_instance_profile" "ip1" {
  instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/ip-1"
  skip_validation      = true
  depends_on           = [databricks_group_instance_profile.gip]
}

resource "databricks_group_role" "gr" {
  group_id = databricks_group.g.id
  role     = databricks_instance_profile.ip1.id
}

resource "databricks_user_instance_profile" "uip" {
  user_id             = "7000000000001031"
  instance_profile_id = databricks_instance_profile.ip.id
  depends_on          = [databricks_group_role.gr]
}

resource "databricks_cluster_policy" "cp" {
  name = "policy-0"
  definition = jsonencode({
    "spark_version"           = { type = "fixed", value = "15.4.x-scala2.12" }
    "autotermination_minutes" = { type = "fixed", value = 10 * var.v }
  })
  depends_on = [databricks_user_instance_profile.uip]
}

resource "databricks_cluster" "c" {
  cluster_name            = "c-0"
  spark_version           = "15.4.x-scala2.12"
  node_type_id            = "i3.xlarge"
  num_workers             = 1
  autotermination_minutes = 10 * tonumber(var.v)
  depends_on              = [databricks_cluster_policy.cp]
}
