"""Housekeeping of the deployment itself: Dagster's run history stays bounded over a season."""
