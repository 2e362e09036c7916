# Terraform 1.9's functions: documented results, and the whole message of a
# few bad calls (the messages are Terraform's, the positions the call's or
# the argument's).
locals {
  subnets = cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)
  when    = formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")
  later   = timeadd("2024-08-16T12:45:05Z", "-10m")
  doc     = yamldecode("{a: &foo [1, 2, 3], b: *foo}")
  yaml    = yamlencode({ "foo" : [1, { "a" : "b", "c" : "d" }, 3], "bar" : "baz" })
  id      = uuidv5("dns", "www.terraform.io")
  pairs   = setproduct(["staging", "production"], ["a", 2])

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
