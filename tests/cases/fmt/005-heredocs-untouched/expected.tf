resource "aws_iam_role_policy" "p" {
  name   = "p"
  policy = <<-EOT
      {
          "Version":   "2012-10-17",   
  "Statement": []
      }
        EOT
  role   = "r"
}

locals {
  script = <<EOT
#!/bin/sh
   echo "${var.x}"   
%{if var.y~}
yes
%{endif~}
EOT
  after = trimspace(<<EOT
  kept
EOT
  )
}
