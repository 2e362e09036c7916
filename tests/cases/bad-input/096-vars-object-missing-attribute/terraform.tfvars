n = 1
obj = { a = "x" }
