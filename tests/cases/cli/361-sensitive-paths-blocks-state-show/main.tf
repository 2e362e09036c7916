# Issue 20, finding 5: a state whose sensitive_attributes name paths
# inside nested blocks, as Terraform 1.9 writes them: state show hides a
# nested block's attribute, a whole block, a map element, a list element
# inside a block of a block and a block list inside a block where they
# are, each as upstream's renderer does, and shows the rest in clear.
