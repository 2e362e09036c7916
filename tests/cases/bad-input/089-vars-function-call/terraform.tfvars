n = upper("a")
