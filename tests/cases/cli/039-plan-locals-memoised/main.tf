# Issue 20, finding 7: 40 locals, each referring twice to the one before:
# 2^40 evaluations without memoised locals, 41 with them.
locals {
  l0  = 1
  l1  = local.l0 + local.l0
  l2  = local.l1 + local.l1
  l3  = local.l2 + local.l2
  l4  = local.l3 + local.l3
  l5  = local.l4 + local.l4
  l6  = local.l5 + local.l5
  l7  = local.l6 + local.l6
  l8  = local.l7 + local.l7
  l9  = local.l8 + local.l8
  l10 = local.l9 + local.l9
  l11 = local.l10 + local.l10
  l12 = local.l11 + local.l11
  l13 = local.l12 + local.l12
  l14 = local.l13 + local.l13
  l15 = local.l14 + local.l14
  l16 = local.l15 + local.l15
  l17 = local.l16 + local.l16
  l18 = local.l17 + local.l17
  l19 = local.l18 + local.l18
  l20 = local.l19 + local.l19
  l21 = local.l20 + local.l20
  l22 = local.l21 + local.l21
  l23 = local.l22 + local.l22
  l24 = local.l23 + local.l23
  l25 = local.l24 + local.l24
  l26 = local.l25 + local.l25
  l27 = local.l26 + local.l26
  l28 = local.l27 + local.l27
  l29 = local.l28 + local.l28
  l30 = local.l29 + local.l29
  l31 = local.l30 + local.l30
  l32 = local.l31 + local.l31
  l33 = local.l32 + local.l32
  l34 = local.l33 + local.l33
  l35 = local.l34 + local.l34
  l36 = local.l35 + local.l35
  l37 = local.l36 + local.l36
  l38 = local.l37 + local.l37
  l39 = local.l38 + local.l38
  l40 = local.l39 + local.l39
}
output "o" {
  value = local.l40
}
