# Issue 20, finding 5: a state whose sensitive_attributes name paths
# inside attributes and nested blocks, as Terraform 1.9 writes them: show
# hides a nested block's attribute, a whole block, a map's element and a
# list's element where they are, as upstream's renderer does, and shows
# the rest in clear. Paths into a set's elements (library) make the set
# sensitive whole, as cty marks it.
