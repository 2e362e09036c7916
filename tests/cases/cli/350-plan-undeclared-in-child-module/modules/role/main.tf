module "inner" {
  source = "./inner"
}

output "name" {
  value = module.inner.name
}
