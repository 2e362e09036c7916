a${v}b
