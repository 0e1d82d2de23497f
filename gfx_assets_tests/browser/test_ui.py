"""An operator's visit to the Dagster UI of `gfx-assets dev`, in headless Chromium, by clicking: the
catalog shows gfx_sessions with one partition per PC and the WSOP assets; the sensors and schedules
are running; the PC-health view names a bad file's reason; and a backfill over two PCs lands their
new files (checked in the database too: the runs that landed them are the backfill's, with the NAS
sensor off and idle). No community dialog gets in the way: the UI's own question, shouldShowNux, is
answered no. Every step leaves a screenshot in gfx_assets_tests/browser/artifacts/."""

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from playwright.sync_api import Locator, Page, Response, expect

from gfx_assets.lib.pokergfx.synthetic import SyntheticSession, seed_nas, write_session
from gfx_assets_tests.browser.ui import chromium, new_page, step
from gfx_assets_tests.e2e.devserver import gfx_dev, location_loaded, wait_for

PCS = ["PC01", "PC02", "PC03"]
BAD_FILE = "PC03/1015/corrupt-export.json"
SENSORS = ["gfx_nas_sensor", "gfx_run_failure_sensor", "gfx_failure_catchup_sensor"]
SCHEDULES = ["gfx_reconciliation_schedule", "operations_refresh_schedule", "wsop_sync_schedule"]
WSOP_ASSETS = ["wsop_events", "wsop_players", "wsop_event_players", "wsop_chip_counts"]
MINUTE_AGO = time.time() - 60
NAVIGATION = {"Catalog": "/assets", "Automation": "/automation", "Runs": "/runs"}
# The NAS sensor is idle: no tick of it under way and no run in flight (Dagster's storage of the dev).
SENSOR_BUSY = """
    SELECT (SELECT count(*) FROM job_ticks WHERE status = 'STARTED' AND tick_body LIKE '%"gfx_nas_sensor"%')
         + (SELECT count(*) FROM runs WHERE status IN ('QUEUED', 'NOT_STARTED', 'STARTING', 'STARTED'))"""
# The runs that landed files of PC01 or PC02, with the backfill they belong to (NULL: not a backfill's).
LANDING_RUNS = (
    "SELECT run_id, gfx_pc_id FROM sync_events"
    " WHERE event_type = 'sync' AND file_count > 0 AND gfx_pc_id = ANY(%s)"
)
BACKFILL_OF = "SELECT value FROM run_tags WHERE run_id = %s AND key = 'dagster/backfill'"
# Dagster's automatic retry of a run (dagster.yaml run_retries: a run that failed for another reason than
# its asset, such as a slow start under load) names its first attempt; it loses the backfill's tag when
# the backfill has completed meanwhile.
FIRST_ATTEMPT_OF = "SELECT value FROM run_tags WHERE run_id = %s AND key = 'dagster/root_run_id'"


@pytest.fixture
def nas_root(tmp_path: Path) -> Path:
    root = tmp_path / "nas"
    for path in seed_nas(root, PCS, sessions_per_pc=1, hands=(1, 3)):
        os.utime(path, (MINUTE_AGO, MINUTE_AGO))
    (root / BAD_FILE).write_bytes(b'{"ID": 1,, "Hands": []}')
    os.utime(root / BAD_FILE, (MINUTE_AGO, MINUTE_AGO))
    return root


@pytest.fixture
def dev(tmp_path: Path, nas_root: Path) -> Iterator[tuple[str, Path]]:
    home = tmp_path / "home"
    with gfx_dev({"GFX_HOME": str(home), "GFX_NAS_ROOT": str(nas_root)}, "--no-simulator") as (_, url):
        wait_for(lambda: httpx.get(url, timeout=5).status_code == 200, 180, "the Dagster UI")
        wait_for(lambda: location_loaded(url), 120, "the code location to load")
        yield url, home


def test_an_operator_sees_the_pipeline_finds_a_bad_file_and_backfills_two_pcs(
    dev: tuple[str, Path], nas_root: Path
) -> None:
    url, home = dev
    wait_for(lambda: _rejected(home) == [BAD_FILE], 180, "the sensor to sync the NAS and reject the bad file")
    with chromium() as browser:
        page = new_page(browser)
        with page.expect_response(_nux_question) as nux:
            page.goto(url)
        with step(page, "01-no-community-dialog"):
            _no_community_dialog(page, nux.value.json())
        with step(page, "02-catalog-and-partitions"):
            _catalog_shows_the_assets_and_pc_partitions(page)
        with step(page, "03-automation-running"):
            _sensors_and_schedules_are_running(page)
        with step(page, "04-pc-health"):
            _pc_health_names_the_bad_file(page)
        with step(page, "05-backfill"):
            new_sessions = _backfill_two_pcs(page, nas_root, home)
        assert _stored_pcs(home, new_sessions) == {"PC01", "PC02"}


def _nux_question(response: Response) -> bool:
    """The UI's query deciding whether to open the community dialog (dagster.yaml `nux`)."""
    graphql = urlsplit(response.url).path.endswith("/graphql")
    return graphql and "query ShouldShowNux" in (response.request.post_data or "")


def _no_community_dialog(page: Page, answer: dict) -> None:
    assert answer["data"]["shouldShowNux"] is False
    expect(_nav(page, "Catalog")).to_be_visible()
    expect(page.get_by_text("Join the Dagster community")).to_have_count(0)


def _catalog_shows_the_assets_and_pc_partitions(page: Page) -> None:
    _nav(page, "Catalog").click()
    for asset in [*WSOP_ASSETS, "gfx_sessions", "pc_health"]:
        expect(_asset_link(page, asset)).to_be_visible()
    _asset_link(page, "gfx_sessions").click()
    page.get_by_role("tab", name="Partitions").click()
    for pc in PCS:
        expect(page.get_by_text(pc, exact=True).first).to_be_visible()


def _sensors_and_schedules_are_running(page: Page) -> None:
    for name in [*SENSORS, *SCHEDULES]:
        _nav(page, "Automation").click()
        _named_link(page, name).click()
        expect(page).to_have_url(re.compile(rf"/{re.escape(name)}(\?|$)"))
        expect(page.get_by_text("Running", exact=True)).to_be_visible()
        expect(page.get_by_role("checkbox")).to_be_checked()


def _pc_health_names_the_bad_file(page: Page) -> None:
    _nav(page, "Catalog").click()
    _asset_link(page, "pc_health").click()
    page.get_by_role(
        "button", name=re.compile(r"(^|\s)Materialize$")
    ).click()  # refresh now, not in 2 minutes
    reason = page.get_by_text(f"{BAD_FILE}: invalid_json")
    _eventually(page, lambda: expect(reason).to_be_visible(timeout=15_000))


def _backfill_two_pcs(page: Page, nas_root: Path, home: Path) -> dict[str, int]:
    """With the NAS sensor switched off, new files of PC01 and PC02 land only through the backfill."""
    _nav(page, "Automation").click()
    _named_link(page, "gfx_nas_sensor").click()
    page.locator("label", has=page.get_by_role("checkbox")).click()  # the switch drawn over the input
    expect(page.get_by_role("checkbox")).not_to_be_checked()
    wait_for(lambda: _dagster(home, SENSOR_BUSY) == [(0,)], 120, "the NAS sensor's last tick and runs to end")
    landed_before = set(_in_target(home, LANDING_RUNS, PCS[:2]))
    new_sessions = {
        pc: _new_session(nas_root / pc / "1202", seed) for pc, seed in (("PC01", 71), ("PC02", 72))
    }
    _nav(page, "Catalog").click()
    _asset_link(page, "gfx_sessions").click()
    page.get_by_role("button", name="Materialize…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Select a partition or create one").click()
    for pc in new_sessions:
        page.get_by_role("menuitem", name=pc).click()
    dialog.get_by_text("Launch runs to materialize gfx_sessions").click()  # closes the partition menu
    expect(dialog.get_by_text("2 partitions")).to_be_visible()
    dialog.get_by_role("button", name="Launch backfill").click()
    wait_for(lambda: len(_stored_pcs(home, new_sessions)) == 2, 300, "the backfill's rows to land")
    # A run records its sync event after its rows commit: wait for both PCs' events, not only the rows.
    landing = wait_for(
        lambda: _landing_runs_of_each(home, new_sessions, landed_before),
        120,
        "both runs to record their sync",
    )
    assert len(landing) == 2 and all(_backfill_of(home, run_id) for run_id, _ in landing)
    _nav(page, "Runs").click()
    page.get_by_role("tab", name="Backfills").click()
    rows = page.locator("[class*=VirtualizedTable_row]")  # the runs feed draws its rows with divs
    ours = rows.filter(has_text="Manually launched").filter(has_text="gfx_sessions")
    if all(_dagster(home, BACKFILL_OF, run_id) for run_id, _ in landing):  # no run needed Dagster's retry
        _eventually(page, lambda: expect(ours).to_contain_text("Success", timeout=15_000))
    expect(ours).to_contain_text("2 partitions")
    return new_sessions


def _nav(page: Page, label: str) -> Locator:
    """A link of the left navigation bar (other pages have tabs of the same names)."""
    return page.locator(f'a[href="{NAVIGATION[label]}"]', has_text=label).first


def _named_link(page: Page, name: str) -> Locator:
    """The link named `name`. Its accessible name holds its icon's name before it and, once the row's
    details have loaded, more after it ('sensors gfx_nas_sensor info Standard sensor'): match the word."""
    return page.get_by_role("link", name=re.compile(rf"(^|\s){re.escape(name)}(\s|$)")).first


def _asset_link(page: Page, asset: str) -> Locator:
    """The catalog's link to an asset (its name, after the key prefix 'operations / ' if any)."""
    return page.get_by_role("link", name=re.compile(rf"(^|\/ ){re.escape(asset)}( |$)")).first


def _eventually(page: Page, check: Callable[[], None], seconds: float = 240) -> None:
    """`check` until it passes, reloading the page in between: some views do not poll for new events."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def _new_session(folder: Path, seed: int) -> int:
    session = SyntheticSession(seed)
    for _ in range(2):
        session.add_hand()
    path = folder / session.file_name
    write_session(path, session)
    os.utime(path, (time.time() - 30, time.time() - 30))
    return session.game_id


def _target(home: Path) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://postgres@/gfx?host={home.resolve() / 'pgdata'}")


def _dagster(home: Path, statement: str, *params: object) -> list[tuple]:
    """A query of the dev's Dagster storage (database `dagster` of the same embedded server)."""
    with psycopg.connect(f"postgresql://postgres@/dagster?host={home.resolve() / 'pgdata'}") as conn:
        return conn.execute(statement, params or None).fetchall()


def _in_target(home: Path, statement: str, *params: object) -> list[tuple]:
    with _target(home) as conn:
        return conn.execute(statement, params or None).fetchall()


def _rejected(home: Path) -> list[str]:
    with _target(home) as conn:
        return [row[0] for row in conn.execute("SELECT nas_path FROM gfx_rejected_files").fetchall()]


def _backfill_of(home: Path, run_id: str) -> list[tuple]:
    """The backfill that launched the run, or launched its first attempt when Dagster retried it."""
    first_attempt = _dagster(home, FIRST_ATTEMPT_OF, run_id)
    return _dagster(home, BACKFILL_OF, run_id) or (
        first_attempt and _dagster(home, BACKFILL_OF, *first_attempt[0])
    )


def _landing_runs_of_each(home: Path, pcs: Iterable[str], landed_before: set[tuple]) -> set[tuple] | None:
    """The landing runs (run_id, pc) since `landed_before`, once every PC of `pcs` has one."""
    runs = set(_in_target(home, LANDING_RUNS, list(pcs))) - landed_before
    return runs if {pc for _, pc in runs} == set(pcs) else None


def _stored_pcs(home: Path, sessions: dict[str, int]) -> set[str]:
    with _target(home) as conn:
        query = "SELECT DISTINCT gfx_pc_id FROM gfx_sessions WHERE session_id = ANY(%s)"
        return {row[0] for row in conn.execute(query, (list(sessions.values()),)).fetchall()}
