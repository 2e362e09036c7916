region = null
note   = null
tags   = { team = "ml" }
