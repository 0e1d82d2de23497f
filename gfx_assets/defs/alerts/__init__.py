"""Alerts: `gfx_run_failure_sensor` turns a sync run's final failure into dead letters, an 'error'
event and an optional Slack alert."""
