resource "aws_iam_role" "r" {
name = "r"
max_session_duration = 3600 # an hour
path = "/" # the default

description = "alone after a blank line"
tags = {
Owner = "me"  # who
CostCenter = "42"
}
}

locals {
a = 1 # foo
bungle = (
    "bonce"
) # baz
zebra = "striped" # baz
}

locals {
a="apple"# foo
bungle=(# woo parens
"bonce"
)# baz
zebra="striped"# baz
}

locals {
𝒜 = 1 # foo
bungle = "🇬🇧" # baz
zebra = "striped" # baz
}

foo {} # here we go
a = 1 # foo
bungle = "bonce" # baz
