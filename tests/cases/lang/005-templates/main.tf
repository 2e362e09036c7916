variable "services" {
  default = ["ec2", "lambda"]
}

variable "admins" {
  default = { alice = "arn:aws:iam::1:user/alice", bob = "arn:aws:iam::1:user/bob" }
}

locals {
  greeting = "Hello, %{if length(var.services) > 1}many%{else}one%{endif} services!"

  trust = <<-JSON
    {
      "Statement": [
    %{for i, s in var.services~}
        {"Principal": {"Service": "${s}.amazonaws.com"}}${i < length(var.services) - 1 ? "," : ""}
    %{endfor~}
      ]
    }
  JSON

  admin_list = <<EOT
%{for name, arn in var.admins~}
${name}=${arn}
%{endfor~}
EOT

  escaped  = "literal $${not_interpolated} and %%{not_a_directive}"
  stripped = "[  ${~"x"~}  ]"
  unicode  = "caf\u00e9 \U0001F600 \"quoted\" tab\tend"
}
