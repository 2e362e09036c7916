region = "us-east-1"
tags   = null
