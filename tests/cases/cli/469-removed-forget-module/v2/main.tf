# A removed block naming a module call forgets every instance of every
# resource in it. (test_cli_removed.c)
removed {
  from = module.m

  lifecycle {
    destroy = false
  }
}
