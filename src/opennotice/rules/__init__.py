"""Compliance rules: the catalogue (a data file) and small pure checks that produce findings."""
