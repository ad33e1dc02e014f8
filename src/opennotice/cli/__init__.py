"""The command line: Typer commands, one module per group."""
