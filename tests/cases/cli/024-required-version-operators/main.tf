# Constraints 1.9.8 meets, as hashicorp/go-version checks them.
terraform {
  required_version = ">= 1.6.0"
}

terraform {
  required_version = "~> 1.9.0"
}

terraform {
  required_version = "~> 1.9"
}

terraform {
  required_version = "~> 1.8"
}

terraform {
  required_version = "~> 1"
}

terraform {
  required_version = "!= 1.9.7"
}

terraform {
  required_version = "> 1.9.7"
}

terraform {
  required_version = "< 1.10"
}

terraform {
  required_version = "<= 1.9.8"
}

terraform {
  required_version = "= 1.9.8"
}

terraform {
  required_version = "1.9.8"
}

terraform {
  required_version = "v1.9.8"
}

terraform {
  required_version = ">= 1.9.8-beta1"
}

terraform {
  required_version = "> 1.9.8-rc.1"
}

terraform {
  required_version = "1.9.8+build.5"
}

terraform {
  required_version = ">=1.2.0,<2.0.0"
}

terraform {
  required_version = " >= 1.0 , < 2 "
}

terraform {
  required_version = "1.9.8.0"
}

# Constraints it does not meet.
terraform {
  required_version = "~> 1.9.9"
}

terraform {
  required_version = "~> 1.8.0"
}

terraform {
  required_version = "!= 1.9.8"
}

terraform {
  required_version = "< 1.9.8"
}

terraform {
  required_version = "> 1.9.8"
}

terraform {
  required_version = "~> 1.9.8-beta1"
}

terraform {
  required_version = "= 1.9.8-beta1"
}

terraform {
  required_version = "~> 2.0"
}

terraform {
  required_version = "1.9.8.1"
}

terraform {
  required_version = ">= 1.10"
}

terraform {
  required_version = ">= 1.0, < 1.9"
}

# Not constraints.
terraform {
  required_version = ""
}

terraform {
  required_version = ">= "
}

terraform {
  required_version = "=> 1.0"
}

terraform {
  required_version = "1.x"
}

terraform {
  required_version = ">= 1.0 || < 2.0"
}

terraform {
  required_version = "~> 1.2.3.beta"
}

terraform {
  required_version = "== 1.9.8"
}

# A null is no constraint; a number is one ("2").
terraform {
  required_version = null
}

terraform {
  required_version = 2
}
