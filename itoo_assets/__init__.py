"""Dagster definitions of itoo: one module per pipeline stage, named after what it produces."""
