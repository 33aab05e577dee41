"""Query functions by area: a session in, rows or values out, never a commit."""
