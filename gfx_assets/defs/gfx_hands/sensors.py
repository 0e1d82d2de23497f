"""The evaluator of the hand assets' declarative automation (`AutomationCondition.eager()`).

Dagster's implicit `default_automation_condition_sensor` starts stopped; this one evaluates the same
conditions for the hand assets and starts running, like the project's other sensors. It requests nothing
of its own: a PC's hand tables and ledger are requested when that PC's gfx_sessions partition updates
outside a run that already materialized them.
"""

import dagster as dg

gfx_hands_automation = dg.AutomationConditionSensorDefinition(
    "gfx_hands_automation",
    target=dg.AssetSelection.groups("gfx_hands"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description=(
        "Materializes a PC's gfx_hands, gfx_hand_players, gfx_events, gfx_players and gfx_session_snapshots "
        "partitions when that PC's gfx_sessions changed (e.g. a rescan from the UI), if the run that changed "
        "it did not already do so."
    ),
)
