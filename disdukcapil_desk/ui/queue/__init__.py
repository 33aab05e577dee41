"""The queue view: filters, the request table, counts per status."""
