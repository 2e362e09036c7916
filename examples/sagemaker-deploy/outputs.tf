output "role_arn" {
  description = "ARN of the role SageMaker deployments use."
  value       = aws_iam_role.sagemaker_deploy.arn
}

output "instance_profile_arn" {
  description = "ARN of the instance profile registered with the workspace."
  value       = aws_iam_instance_profile.sagemaker_deploy.arn
}

# Step 6: launch clusters with the profile (cluster JSON "aws_attributes").
output "cluster_aws_attributes" {
  description = "The aws_attributes block for clusters that deploy models."
  value = jsonencode({
    instance_profile_arn = databricks_instance_profile.sagemaker_deploy.id
  })
}
