variable "meta" {
  type    = bool
  default = null
}

resource "databricks_instance_profile" "p" {
  instance_profile_arn     = "arn:aws:iam::123456789012:instance-profile/mlflow-sagemaker"
  skip_validation          = true
  is_meta_instance_profile = var.meta
}
