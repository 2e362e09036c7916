# Terraform 1.9's functions: documented results, and the whole message of a
# few bad calls (the messages are Terraform's, the positions the call's or
# the argument's).
locals {
  subnets  = cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)
  when     = formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")
  later    = timeadd("2024-08-16T12:45:05Z", "-10m")
  doc      = yamldecode("{a: &foo [1, 2, 3], b: *foo}")
  yaml     = yamlencode({ "foo" : [1, { "a" : "b", "c" : "d" }, 3], "bar" : "baz" })
  id       = uuidv5("dns", "www.terraform.io")
  pairs    = setproduct(["staging", "production"], ["a", 2])
  chunks   = chunklist(["a", "b", "c", "d", "e"], 2)
  matched  = matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])
  swapped  = transpose({ "a" = ["1", "2"], "b" = ["2", "3"] })
  host     = cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)
  mask     = cidrnetmask("172.16.0.0/12")
  utf16    = textencodebase64("Hello World", "UTF-16LE")
  text     = textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")
  sums     = [sha512("hello world"), base64sha512("hello world")]
  checks   = [strcontains("hello world", "wor"), issensitive("hello"), pow(3, 2), log(16, 2), signum(-13)]
  order    = timecmp("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00")
  rows     = csvdecode("a,b,c\n1,2,3\n4,5,6")
  merged   = yamldecode("base: &b {p: 1, q: 2}\nderived:\n  <<: *b\n  q: 3")
  number   = parseint("aA", 62)
  rendered = templatestring("Hello, $${who}!", { who = "world" })

  bad_parseint = parseint("12", 2)
  bad_yaml     = yamldecode("{a: &foo [1, *foo, 3]}")
  bad_tag      = yamldecode("{a: !not-supported foo}")
  bad_cidr     = cidrsubnet("10.0.0.0/30", 4, 0)
  bad_subnets  = cidrsubnets("10.0.0.0/30", 1, 1, 1)
  bad_date     = formatdate("DD MMM YYYY", "2018-01-02 23:12:01Z")
  bad_duration = timeadd("2024-08-16T12:45:05Z", "10")
  bad_list     = list("a", "b")
  bad_template = templatestring("Hello, ${local.id}", {})
  bad_uuid     = uuidv5("abc", "x")
  bad_csv      = csvdecode("a,b\n1\n")
}
