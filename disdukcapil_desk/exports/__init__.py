"""Workbooks (openpyxl) made from plain data: the recap."""
