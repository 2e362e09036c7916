workspace_role_name = "databricks-workspace"
