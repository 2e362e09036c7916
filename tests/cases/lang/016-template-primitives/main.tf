locals {
  int        = "lit-${7}-x"
  frac       = "a${1.5}b"
  neg        = "a${- 3}b"
  big        = "a${100000000000000000000}b"
  yes        = "x${true}y"
  no         = "x${false}y"
  computed   = "n=${1 + 1} b=${1 < 2}"
  only_num   = 7
  only_str   = "s"
  heredoc    = <<EOT
n=${7} f=${0.25} b=${true}
EOT
  tpl        = "v=$${n} b=$${b} s=$${s}"
  tstring    = templatestring(local.tpl, { n = 42, b = false, s = "str" })
  directive  = "%{if true}${8}%{else}${9}%{endif}"
  tfile      = templatefile("prim.tpl", { n = 7, f = 1.5, b = true, s = "str" })
  tfile_null = templatefile("null.tpl", { v = null })
  tfile_list = templatefile("list.tpl", { v = [1] })
  tfile_self = templatefile("self.tpl", {})
  null_part  = "a${null}b"
  list_part  = "a${[1]}b"
  map_part   = "a${ { k = 1 } }b"
}
