"""The HTTP adapter: translate requests into service calls and errors into problem+json."""
