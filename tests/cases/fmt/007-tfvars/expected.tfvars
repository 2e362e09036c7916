region = "us-east-1"
role_names = [
  "a",
  "b",
]
tags = { Owner = "me", Team = "x" }
