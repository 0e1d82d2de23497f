"""When two failures are the same error for the once-an-hour alert: the same causes, whatever step or
table names prefix them and whatever run ids, counts and times they carry."""

from gfx_assets.defs.alerts.notify import error_signature

REFUSED = "Supabase refused the service key (401 PGRST301 Invalid API key or JWT)"


def test_a_refused_key_in_a_gfx_step_and_in_wsop_tables_is_one_error() -> None:
    gfx = f"gfx_sessions: sink error, not retried: {REFUSED}"
    wsop = f"wsop_events: wsop_events: {REFUSED}\nwsop_players: wsop_players: {REFUSED}"
    assert error_signature(gfx) == error_signature(wsop)


def test_run_ids_and_counts_do_not_make_errors_differ() -> None:
    first = "gfx_sessions: run 0b1f2c3d-1111-2222-3333-444455556666 wrote 12 of 40 rows"
    second = "gfx_sessions: run 9a8b7c6d-aaaa-bbbb-cccc-ddddeeeeffff wrote 3 of 41 rows"
    assert error_signature(first) == error_signature(second)


def test_different_causes_are_different_errors() -> None:
    assert error_signature(f"gfx_sessions: {REFUSED}") != error_signature(
        "gfx_sessions: sink still unavailable after 5 retries: connection refused"
    )
