"""Adapters: settings, PostgreSQL, the event encoding, tokens, NATS and the relay."""
