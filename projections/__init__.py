"""Read models (ledger, rates, compliance …) built from the event store. Arrive with issue 4."""
