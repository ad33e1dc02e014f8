"""Use cases: one function per use case, one transaction each, audit events written inside it."""
