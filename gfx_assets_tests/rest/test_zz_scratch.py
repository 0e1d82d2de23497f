import logging

import dagster as dg

from gfx_assets_tests.rest.test_rest_acceptance import (  # noqa
    MAX_RETRIES,
    SERVICE_KEY,
    WRONG_KEY,
    SupabaseSinkResource,
    _stored,
    app,
    create_app,
    faults,
    pc01,
    rest_sink,
    serve,
    sync,
)


def test_scratch_key(pc01, database_url, monkeypatch, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GFX_SUPABASE_SERVICE_KEY", WRONG_KEY)
    with (
        serve(create_app(database_url, service_key=SERVICE_KEY)) as base_url,
        dg.instance_for_test() as instance,
    ):
        sink = SupabaseSinkResource(url=base_url, service_key=dg.EnvVar("GFX_SUPABASE_SERVICE_KEY"))
        result = sync(instance, "PC01", pc01, sink)
        entries = instance.all_logs(result.run_id)
        run = instance.get_run_by_id(result.run_id)
    cap = capfd.readouterr()
    print("CAPLOG", len(caplog.text), caplog.text[-1500:])
    print("OUT", len(cap.out), cap.out[-1500:])
    print("ERR", len(cap.err), cap.err[-1500:])
    print("RUNCONFIG", run.run_config)
    print("FAILURE", result.failure_data_for_node("gfx_sessions"))
    for e in entries:
        print("EV", e.dagster_event_type, e.user_message[:200])


def test_scratch_429(pc01, database_url, rest_sink, faults):
    faults.status_for_next = [(429, {"Retry-After": "1"})] * 3
    with dg.instance_for_test() as instance:
        result = sync(instance, "PC01", pc01, rest_sink)
        for e in instance.all_logs(result.run_id):
            print("EV", round(e.timestamp % 100, 2), e.dagster_event_type, e.user_message[:150])


def test_scratch_stored(pc01, database_url, rest_sink):
    with dg.instance_for_test() as instance:
        sync(instance, "PC01", pc01, rest_sink)
    s = _stored(database_url)
    print({k: len(v) for k, v in s.items()})
    print(sorted(s["gfx_sessions"][0].keys()), s["gfx_file_manifest"][0])
