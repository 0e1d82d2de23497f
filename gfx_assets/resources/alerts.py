"""The alert webhook as a Dagster resource."""

import dagster as dg


class AlertWebhook(dg.ConfigurableResource):
    """Slack-compatible incoming webhook told about every final sync failure. `url` is bound to
    GFX_ALERT_WEBHOOK_URL with dg.EnvVar, so the UI shows the variable's name; empty: no alert."""

    url: str = ""
    timeout_seconds: float = 5.0
