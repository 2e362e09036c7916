crossaccount_role_name = "databricks-ws"
