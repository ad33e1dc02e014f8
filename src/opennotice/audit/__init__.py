"""The audit log: event tags and the hash chain."""
