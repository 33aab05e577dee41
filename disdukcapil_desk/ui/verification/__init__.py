"""The verification page, built per service from the catalogue."""
