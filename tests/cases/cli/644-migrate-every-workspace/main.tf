# Every workspace moves, as Terraform's init (meta_backend_migrate.go
# backendMigrateState_S_S): local (default, prod, staging, and an empty
# one, skipped) to S3 at env:/NAME/KEY, to another key, back to local,
# each keeping its lineage (number-uuids: default <UUID-1>, prod
# <UUID-2>, staging <UUID-3>); then init where the selected workspace
# does not exist (meta_backend.go selectWorkspace).
resource "random_integer" "server" {
  min  = 1
  max  = 1000
  seed = "migrate"
}
