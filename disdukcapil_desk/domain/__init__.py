"""The rules of the office in pure Python: catalogue, workflow, NIK, numbering, the values that
cross layers.
"""
