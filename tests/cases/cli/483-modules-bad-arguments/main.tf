module "p" {
  source = "./modules/profile"
  rolle  = "x"
}

# A call's arguments are the module's variables: one it does not declare
# and one it requires but is not given, with hcl's messages at the call.
# (test_cli_modules.c)
