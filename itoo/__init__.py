"""itoo: the plain-Python logic of the pipeline (no Dagster here; assets call these functions)."""
