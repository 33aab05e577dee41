"""The outbox on screen: a request's conversation, the office's undelivered messages."""
