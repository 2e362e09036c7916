# A deposed object pushed with a status, dependencies, sensitive paths and
# create_before_destroy keeps them (version4.go reads and writes them for
# every instance object, deposed or current): `state pull` gives back what
# was pushed, its provider too, though no current object names one.
resource "aws_iam_role" "a" {
  name               = "a"
  assume_role_policy = "{}"
}
