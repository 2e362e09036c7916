a = "${"${"${x}"}"}"
b = <<-E
  %{ for x in [1] ~}
  ${x}
  %{ endfor }
  E
c = [for k, v in {a=1} : k => v]
d = x[*].y.*.z[0]
