"""Routers by subject; every route needs a bearer token."""
