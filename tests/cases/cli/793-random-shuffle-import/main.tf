# random_shuffle has no importer upstream (terraform-provider-random's
# resource does not implement ImportState): terraform-plugin-framework
# answers "Resource Import Not Implemented", to `import` (1) and to an
# import block's plan alike.
resource "random_shuffle" "s" {
  input = ["a", "b", "c"]
}
