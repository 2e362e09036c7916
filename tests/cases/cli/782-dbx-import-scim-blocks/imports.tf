import {
  to = databricks_group.data_eng
  id = "7000000000100001"
}
import {
  to = databricks_group_instance_profile.data_eng
  id = "7000000000100001|arn:aws:iam::123456789012:instance-profile/data-eng"
}
import {
  to = databricks_group_role.analysts
  id = "7000000000100001|arn:aws:iam::123456789012:instance-profile/analysts"
}
import {
  to = databricks_user_instance_profile.ann
  id = "7000000000200001|arn:aws:iam::123456789012:instance-profile/data-eng"
}
