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

variable "instance_profile_group" {
  description = "The workspace group granted the instance profile, so its members may launch clusters with it; \"\" grants none."
  type        = string
  default     = "users"
}

variable "create_cluster" {
  description = "Whether to create the deployment cluster (step 6)."
  type        = bool
  default     = true
}

variable "cluster_name" {
  description = "Name of the deployment cluster."
  type        = string
  default     = "mlflow-sagemaker-deploy"
}

variable "spark_version" {
  description = "Databricks Runtime of the cluster (an LTS release)."
  type        = string
  default     = "15.4.x-scala2.12"
}

variable "node_type_id" {
  description = "EC2 instance type of the driver and workers."
  type        = string
  default     = "i3.xlarge"
}

variable "num_workers" {
  description = "Workers besides the driver."
  type        = number
  default     = 1
}

variable "autotermination_minutes" {
  description = "Minutes idle after which the cluster stops itself (and stops costing)."
  type        = number
  default     = 30
}

variable "cluster_no_wait" {
  description = "Do not wait for the cluster to run (nor for its libraries) when creating it."
  type        = bool
  default     = false
}
