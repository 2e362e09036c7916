variable "roles" {
  type = map(object({
    path        = optional(string, "/")
    max_session = optional(number, 3600)
    policies    = optional(list(string), [])
    tags        = optional(map(string))
  }))
  default = {
    admin = { policies = ["arn:aws:iam::aws:policy/AdministratorAccess"] }
    ci    = { path = "/ci/", max_session = "7200" }
  }
}

variable "port" {
  type    = number
  default = "8080"
}

variable "regions" {
  type    = set(string)
  default = ["us-east-1", "eu-west-1", "us-east-1"]
}

variable "name" {
  type    = string
  default = "tern"
  validation {
    condition     = can(regex("^[a-z]+$", var.name))
    error_message = "The name must be lower-case letters."
  }
}

resource "aws_iam_role" "r" {
  for_each             = var.roles
  name                 = "${var.name}-${each.key}"
  path                 = each.value.path
  max_session_duration = each.value.max_session
}
