"""Use cases: one transaction per user action, with its permission check and audit line; no SQL."""
