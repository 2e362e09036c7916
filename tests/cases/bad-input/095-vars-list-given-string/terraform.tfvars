n = 1
names = "x"
