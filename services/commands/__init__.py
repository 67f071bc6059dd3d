"""Command handlers, one mixin per subject, combined in `services.application.HazardLedger`."""
