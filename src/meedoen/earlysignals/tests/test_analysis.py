"""Early signals in an analysis activity: an analyst links them into the activity's tables and
runs the discovery, both logged; a case worker, an administrator and an analysis without the
debt-help task are refused, with nothing linked or logged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from meedoen.accounts.models import User
from meedoen.activities.enforcement import ActivityNotApproved
from meedoen.activities.services import activity_approve, activity_request
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.analysis import indicators_discover, signals_link_analysis
from meedoen.earlysignals.tests.conftest import actor
from meedoen.households.services import build_execute, build_request
from meedoen_data.activity_store import store_path
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

SOURCES = ["brp", "signalen", "schulden", "participatie", "cbs", "wmo", "jeugd"]


def analysis(people: dict[str, User], *, task: str, sources: list[str]) -> int:
    activity = activity_request(
        actor=actor(people["analyst"]),
        name="Vroegsignalen: wat gaat vooraf aan schuldhulp",
        purpose="Welke signalen gaan vooraf aan schuldhulp, om de triageregels te verbeteren",
        legal_basis="Wgs art. 3 en 4a; AVG art. 6 lid 1 sub e",
        sources=sources,
        retention_days=365,
        data_categories="Betalingsachterstanden, huishoudens, schuldhulp",
        recipients="Beleidsadviseur schulden",
        dpia_reference="DPIA-10",
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="Huishoudens op één dag afleiden",
        task=task,
    )
    activity_approve(
        activity_id=activity.pk, actor=actor(people["officer"]), motivation="akkoord", version=1
    )
    return activity.pk


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analysis")
    home = root / "home"
    synth_municipality(gemeente="GM0363", out=root / "sources", seed=5, persons=20_000)
    workspace_init(home=home)
    ingest_directory(home=home, directory=root / "sources", user="test")
    return home


@pytest.fixture
def workspace(world: Path, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    import shutil

    home = tmp_path / "home"
    shutil.copytree(world, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


def test_an_analyst_links_and_discovers_logged_per_person(
    people: dict[str, User], workspace: Path
) -> None:
    activity_id = analysis(people, task="schuldhulpverlening", sources=SOURCES)
    analyst, trace = actor(people["analyst"]), TraceContext.start()
    run = build_request(
        activity_id=activity_id, peildatum=date(2025, 1, 1), engine="duckdb", actor=analyst,
        trace=trace, channel="cli",
    )  # fmt: skip
    build_execute(run_id=run.pk, actor=analyst, trace=trace)
    report = signals_link_analysis(activity_id=activity_id, actor=analyst, trace=trace)
    assert report.linked >= 0.99 * report.records and report.households > 0
    con = duckdb.connect(str(store_path(Workspace(workspace), activity_id)), read_only=True)
    try:
        joined = con.execute(
            "SELECT count(*) FROM source.vroegsignaal s JOIN link.partner_link l "
            "ON l.record_id = s.signaalid AND l.source = 'vroegsignaal'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert joined == report.linked
    links = ProcessingRecord.objects.filter(name="signals.link")
    assert links.exists()
    assert all(r.processing_activity_id.endswith(f":{activity_id}") for r in links)

    found = indicators_discover(
        activity_id=activity_id, outcome="schuldhulp_12m", actor=analyst, trace=trace
    )
    assert found.units > 0 and found.tested > 0
    assert ProcessingRecord.objects.filter(name="indicators.discover").exists()


def test_refusals_leave_nothing_linked_or_logged(people: dict[str, User], workspace: Path) -> None:
    activity_id = analysis(people, task="schuldhulpverlening", sources=SOURCES)
    trace = TraceContext.start()
    for role in ("wijk", "admin", "officer"):
        with pytest.raises(PermissionDenied):
            signals_link_analysis(activity_id=activity_id, actor=actor(people[role]), trace=trace)
        with pytest.raises(PermissionDenied):
            indicators_discover(
                activity_id=activity_id, outcome="schuldhulp_12m", actor=actor(people[role]),
                trace=trace,
            )  # fmt: skip
    with pytest.raises(ValidationError, match="unknown outcome"):
        indicators_discover(
            activity_id=activity_id, outcome="score", actor=actor(people["analyst"]), trace=trace
        )
    youth = analysis(people, task="", sources=["brp", "schulden", "jeugd"])
    with pytest.raises(ActivityNotApproved):
        signals_link_analysis(activity_id=youth, actor=actor(people["analyst"]), trace=trace)
    with pytest.raises(ActivityNotApproved):
        indicators_discover(
            activity_id=youth, outcome="schuldhulp_12m", actor=actor(people["analyst"]),
            trace=trace,
        )  # fmt: skip
    assert not ProcessingRecord.objects.filter(
        name__in=["signals.link", "indicators.discover"]
    ).exists()
    assert not (Workspace(workspace).vault_dir / "linkage" / f"activity-{youth}.duckdb").exists()
