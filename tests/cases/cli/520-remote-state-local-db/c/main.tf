output "name" {
  value = "deploy"
}
output "subnets" {
  value = ["subnet-a", "subnet-b"]
}
output "tags" {
  value = { env = "prod", team = "data" }
}
output "token" {
  value     = "s3cr3t-token"
  sensitive = true
}
