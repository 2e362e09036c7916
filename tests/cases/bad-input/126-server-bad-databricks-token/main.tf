resource "databricks_instance_profile" "d" {
  instance_profile_arn = "arn:aws:iam::123456789012:instance-profile/x"
  skip_validation = true
}
