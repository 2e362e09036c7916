variable "role_name" {
  description = "Name of the IAM role that SageMaker deployments from Databricks use."
  type        = string
  default     = "mlflow-sagemaker-deploy"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "workspace_role_name" {
  description = "Name of the Databricks workspace's existing cross-account IAM role (not managed here; it gets an iam:PassRole policy)."
  type        = string
}

variable "region" {
  description = "AWS region for the provider (IAM itself is global)."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Tags for the role and instance profile."
  type        = map(string)
  default     = {}
}

variable "databricks_host" {
  description = "Workspace URL, e.g. https://dbc-1234.cloud.databricks.com. Empty: DATABRICKS_HOST or ~/.databrickscfg."
  type        = string
  default     = null
}
