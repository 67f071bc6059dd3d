"""Application services (commands and queries), the HTTP API and the CLI."""
