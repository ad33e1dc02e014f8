"""OpenNotice: an open international notice system."""

__version__ = "0.1.0"
