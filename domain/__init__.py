"""The hazard domain: aggregates, events and rules. Pure: no I/O, no outer imports."""
