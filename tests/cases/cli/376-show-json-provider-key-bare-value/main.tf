module "m" {
  source = "./m"
  providers = {
    random.dst = random
  }
}
