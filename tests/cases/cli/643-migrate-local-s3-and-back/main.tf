# tern init -migrate-state / -force-copy: local to S3, S3 to another key,
# S3 back to local, each followed by an empty plan; the state keeps its
# lineage (number-uuids: <UUID-1> throughout). A migration that needs
# confirmation without a terminal is refused and saves nothing in
# .terraform; -migrate-state with -reconfigure is refused.
resource "random_integer" "server" {
  min  = 1
  max  = 1000
  seed = "migrate"
}
