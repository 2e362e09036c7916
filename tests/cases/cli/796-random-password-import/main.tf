# random_password imported (1): the import ID is the password itself
# (terraform-provider-random internal/provider/resource_password.go),
# its bcrypt_hash computed at import (cost 10; `import` prints no
# elapsed time). The result and the hash never show; their lengths and
# the hash's prefix are what nonsensitive() gives, and the apply after
# the import changes nothing but the new output. (That the hash verifies
# the password is test_mod_random.c's string_and_password_import.)
resource "random_password" "p" {
  length = 8
}

output "lengths" {
  value = nonsensitive({
    result      = length(random_password.p.result)
    bcrypt_hash = length(random_password.p.bcrypt_hash)
    prefix      = substr(random_password.p.bcrypt_hash, 0, 7)
  })
}
