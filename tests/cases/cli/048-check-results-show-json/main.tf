# show -json gives the state's check results as Terraform's state
# representation does ("checks", as jsonchecks writes them): addresses in
# and out of module instances, instance keys, the failure messages as
# problems (sorted by message, as MarshalCheckStates sorts them).
output "first" {
  value = 4
}
