"""Benchmarks of Disdukcapil Desk at office scale (not part of the installed package)."""
