variable "skip" {
  type    = bool
  default = true
}

resource "databricks_instance_profile" "p" {
  instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/mlflow-sagemaker"
  skip_validation      = var.skip
}
