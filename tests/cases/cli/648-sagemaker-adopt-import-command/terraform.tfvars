workspace_role_name    = "databricks-workspace"
create_cluster         = false
instance_profile_group = ""
