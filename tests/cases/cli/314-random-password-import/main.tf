# random_password imported by an import block: the result is the ID, and
# neither it nor the bcrypt_hash (salted anew at every import, so the state
# is not recorded here) is shown.
import {
  to = random_password.p
  id = "s3cret!"
}

resource "random_password" "p" {
  length = 7
}
