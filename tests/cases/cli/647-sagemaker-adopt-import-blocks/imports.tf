import {
  to = aws_iam_role.sagemaker_deploy
  id = "mlflow-sagemaker-deploy"
}

import {
  to = aws_iam_role_policy_attachment.sagemaker_full_access
  id = "mlflow-sagemaker-deploy/arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}

import {
  to = aws_iam_role_policy.sagemaker_deploy
  id = "mlflow-sagemaker-deploy:mlflow-sagemaker-deploy"
}

import {
  to = aws_iam_role_policy.workspace_pass_role
  id = "${var.workspace_role_name}:mlflow-sagemaker-pass-role"
}

import {
  to = aws_iam_instance_profile.sagemaker_deploy
  id = "mlflow-sagemaker-deploy"
}

import {
  to = databricks_instance_profile.sagemaker_deploy
  id = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:instance-profile/mlflow-sagemaker-deploy"
}
