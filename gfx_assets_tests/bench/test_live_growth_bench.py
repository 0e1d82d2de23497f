"""Smoke run of bench/live_growth_bench.py on a session grown to 6 hands, so the benchmark cannot rot: every
hand load after the first writes the new hand (and at most the one before it, had it been in progress),
never the whole session again. Timings are printed by the benchmark, never asserted here."""

from gfx_assets_tests.bench import load_bench

HANDS = 6


def test_each_hand_load_of_a_growing_session_writes_only_the_new_hands(database_url: str) -> None:
    bench = load_bench("live_growth_bench")
    samples = bench.grow_once(database_url, HANDS)
    assert [s.k for s in samples] == list(range(1, HANDS + 1))
    assert samples[0].hands == 1
    for sample in samples[1:]:
        assert 1 <= sample.hands <= 2, sample
        assert sample.hands < sample.k or sample.k == 2, sample  # never every hand again
        assert sample.hand_players and sample.events, sample
        assert sample.deleted_hands == 0, sample
    assert all(s.load_ms > 0 and s.land_ms > 0 for s in samples)
    table = bench.report([samples])
    assert "| 1–6 |" in table and "least-squares slope" in table
