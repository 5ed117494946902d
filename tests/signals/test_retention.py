"""Retention of signals without a follow-up: gone from every copy (vault, analytics store,
every linkage file, every analysis store) once older than the cut-off; a followed-up signal
and newer signals stay; a dry run deletes nothing; running again deletes nothing more; what
remains for the monitor is counts per month and partner."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from meedoen_data.activity_store import activity_key_create, linkage_path, store_path, store_prepare
from meedoen_data.intake import ingest_directory, vault_path
from meedoen_data.linkage.signals import link_signals
from meedoen_data.signals.retention import signals_expire
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

CUT = date(2024, 1, 1)
OPERATIONAL, ANALYSIS = 4, 5


def _ids(path: Path, sql: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {str(r[0]) for r in con.execute(sql).fetchall()}
    finally:
        con.close()


def test_old_signals_without_follow_up_are_deleted_everywhere(tmp_path: Path) -> None:
    sources, home = tmp_path / "sources", tmp_path / "home"
    synth_municipality(gemeente="GM0153", out=sources, seed=2, persons=8_000)
    workspace_init(home=home)
    ingest_directory(home=home, directory=sources, user="test")
    workspace = Workspace(home)
    link_signals(home=home, activity_id=OPERATIONAL)
    activity_key_create(home=home, activity_id=ANALYSIS)
    store_prepare(home=home, activity_id=ANALYSIS, sources=["brp", "signalen"])
    link_signals(home=home, activity_id=ANALYSIS, publish=True)

    vault, analytics = vault_path(workspace), workspace.analytics_path
    every = "SELECT signaalid FROM identity.vroegsignaal"
    old = _ids(vault, f"{every} WHERE signaaldatum < DATE '{CUT}'")
    new = _ids(vault, f"{every} WHERE signaaldatum >= DATE '{CUT}'")
    assert old and new
    followed_up = sorted(old)[:3]
    doomed = old - set(followed_up)
    store_rows = _ids(store_path(workspace, ANALYSIS), "SELECT signaalid FROM source.vroegsignaal")

    dry = signals_expire(home=home, before=CUT, keep=followed_up, dry_run=True)
    assert dry.signals == len(doomed) and dry.kept == 3 and dry.persons
    assert _ids(vault, every) == old | new  # a dry run deletes nothing

    report = signals_expire(home=home, before=CUT, keep=followed_up)
    assert report.signals == len(doomed) and sum(report.by_month.values()) == len(doomed)
    assert all(month < "2024-01" for month, _ in report.by_month)
    assert report.persons == dry.persons and report.linkage_rows > 0
    remaining = new | set(followed_up)
    assert _ids(vault, every) == remaining
    assert _ids(analytics, "SELECT signaalid FROM source.vroegsignaal") == remaining
    for activity in (OPERATIONAL, ANALYSIS):
        linked = _ids(
            linkage_path(workspace, activity),
            "SELECT klantnummer FROM link UNION SELECT klantnummer FROM candidate "
            "UNION SELECT klantnummer FROM review_token",
        )
        assert not linked & doomed and set(followed_up) <= linked
    store = store_path(workspace, ANALYSIS)
    left = _ids(store, "SELECT signaalid FROM source.vroegsignaal")
    assert len(left) == len(store_rows) - len(doomed) and report.stores[ANALYSIS] > len(doomed)
    assert _ids(store, "SELECT record_id FROM link.record") <= left

    mark = home / "signals" / "retention.json"  # the cut-off, for the discovery
    assert mark.stat().st_mode & 0o777 == 0o600
    again = signals_expire(home=home, before=CUT, keep=followed_up)
    assert again.signals == 0 and again.kept == 3 and not again.persons


def test_nothing_delivered_nothing_to_do(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace_init(home=home)
    report = signals_expire(home=home, before=CUT, keep=())
    assert report.signals == 0 and not report.by_month


def test_after_a_retention_run_discovery_uses_no_survivors(tmp_path: Path) -> None:
    """Older signals left after retention are only those that led to help: discovery must not
    learn from them (it would overstate every pattern), so it counts only households whose
    first signal came after the cut-off — here none has 12 months observed since, and it says
    why instead of reporting biased lifts."""
    import pytest

    from meedoen_data.categories import HOUSEHOLD_DETAIL
    from meedoen_data.households import household_build
    from meedoen_data.signals.discover import DiscoveryError, units_read

    sources, home = tmp_path / "sources", tmp_path / "home"
    synth_municipality(gemeente="GM0153", out=sources, seed=2, persons=8_000)
    workspace_init(home=home)
    ingest_directory(home=home, directory=sources, user="test")
    activity_key_create(home=home, activity_id=ANALYSIS)
    domains = ["brp", "signalen", "schulden"]
    store_prepare(home=home, activity_id=ANALYSIS, sources=domains, fine=HOUSEHOLD_DETAIL)
    household_build(home=home, activity_id=ANALYSIS, peildatum=date(2025, 1, 1), domains=domains)
    link_signals(home=home, activity_id=ANALYSIS, publish=True)
    assert len(units_read(home=home, activity_id=ANALYSIS)) > 0
    signals_expire(home=home, before=CUT, keep=())
    with pytest.raises(DiscoveryError, match=r"were deleted \(retention\)"):
        units_read(home=home, activity_id=ANALYSIS)
