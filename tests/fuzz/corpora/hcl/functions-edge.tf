a = jsondecode("[[[[[[[[[[1]]]]]]]]]]")
b = format("%-10s|%+5d|%[1]q", "x", 3)
c = regexall("(a)|(b)", "ab")
d = replace("x", "//", "y")
