n = "unterminated
