output "role_arn" {
  description = "ARN of the role SageMaker deployments use."
  value       = aws_iam_role.sagemaker_deploy.arn
}

output "instance_profile_arn" {
  description = "ARN of the instance profile registered with the workspace."
  value       = aws_iam_instance_profile.sagemaker_deploy.arn
}

# For other clusters: the profile as cluster JSON "aws_attributes".
output "cluster_aws_attributes" {
  description = "The aws_attributes block for clusters that deploy models."
  value = jsonencode({
    instance_profile_arn = databricks_instance_profile.sagemaker_deploy.id
  })
}

output "cluster_id" {
  description = "The deployment cluster's id (null without it)."
  value       = one(databricks_cluster.deploy[*].cluster_id)
}

output "cluster_url" {
  description = "The deployment cluster's page in the workspace."
  value       = one(databricks_cluster.deploy[*].url)
}
