"""The debt worker reviews the signals the linkage was unsure about: a pending signal beside its
candidates from the register (read logged per candidate, by BRP pseudonym); "same person" puts
it on that person's household at once and a new linkage keeps it there; "not this person" for
its only candidate leaves it unlinked ("rejected in review"); other roles, a debt worker
without an approved activity and a token of no signal awaiting review are refused with nothing
read or logged.

The signal town of the other tests sends every signal with a BSN: nothing there goes through
the linkage engine (which needs records to train on). These tests use a small generated
municipality instead, whose energy and water companies send names and addresses only, some
of them as initials: the linkage is unsure about a few, as in a real municipality."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from django.test import Client
from django.utils import translation

from meedoen.accounts.models import User
from meedoen.activities.services import activity_revoke
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import SignalHousehold
from meedoen.earlysignals.review import REVIEW_DECIDE, REVIEW_READ
from meedoen.earlysignals.services import SUBJECT_TYPE, signals_link, unlinked_read
from meedoen.earlysignals.tests.conftest import actor
from meedoen.earlysignals.tests.town import ON
from meedoen_data.casework import person_bsn, person_pseudonym, persons_named
from meedoen_data.intake import ingest_directory
from meedoen_data.linkage.review import ReviewCase, review_case
from meedoen_data.linkage.signals import SOURCE
from meedoen_data.signals.worklist import UnlinkedSignal
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db

REVIEW_OPERATIONS = (REVIEW_READ, REVIEW_DECIDE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A generated municipality of 2,000 persons with its signals and their truth, through the
    intake gate (once)."""
    root = tmp_path_factory.mktemp("review")
    home, sources = root / "home", root / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=2000, with_truth=True)
    report = ingest_directory(home=home, directory=sources, user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home, sources


@pytest.fixture
def home(generated: tuple[Path, Path], tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """Overrides the town's ``home`` of conftest (``activity_id`` and ``linked`` use it)."""
    home = tmp_path / "home"
    shutil.copytree(generated[0], home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    settings.CASEWORK_DATE = ON.isoformat()
    settings.SIGNALS_OPEN_DAYS = 182
    return home


@pytest.fixture
def truth(generated: tuple[Path, Path]) -> dict[str, str]:
    """signaalid -> the BSN of the person the signal is truly about."""
    with (generated[1] / "truth" / "signal.csv").open(encoding="utf-8", newline="") as f:
        return {r["signaalid"]: r["burgerservicenummer"] for r in csv.DictReader(f)}


def pending(people: dict[str, User], activity: int) -> list[UnlinkedSignal]:
    """The signals awaiting review that the list of signals not on a household shows."""
    read = unlinked_read(
        actor=actor(people["debt"]), activity_id=activity, trace=TraceContext.start()
    )
    found = [s for s in read.signals if s.status == "pending" and s.review_token]
    assert found, "the generated municipality has no signal awaiting review"
    return found


def case_of(home: Path, activity: int, signal: UnlinkedSignal) -> ReviewCase:
    """What the linkage file holds about the signal (read here without the services)."""
    assert signal.review_token
    return review_case(home=home, activity_id=activity, source=SOURCE, token=signal.review_token)


def url(signal: UnlinkedSignal, activity: int) -> str:
    return f"/vroegsignalen/beoordelen/{signal.review_token}/?activiteit={activity}"


def nl(text: str) -> str:
    """``text`` as the (Dutch) pages show it: translated once the .po translates it."""
    with translation.override("nl"):
        return translation.gettext(text)


def nl_context(context: str, text: str) -> str:
    with translation.override("nl"):
        return translation.pgettext(context, text)


def cells(html: str, table: str) -> list[list[str]]:
    """The text of every body row of the table with id ``table``."""
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody[^>]*>(.*?)</tbody>', html, re.S)
    assert body is not None, table
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def logged(operation: str) -> list[ProcessingRecord]:
    return list(ProcessingRecord.objects.filter(name=operation))


def review_logs() -> int:
    return ProcessingRecord.objects.filter(name__in=REVIEW_OPERATIONS).count()


def holding(activity: int, signaalid: str) -> list[SignalHousehold]:
    """The work-list households the signal is an open signal of."""
    return [
        row
        for row in SignalHousehold.objects.filter(activity_id=activity)
        if signaalid in row.signal_ids
    ]


def test_a_pending_signal_is_shown_with_its_candidates_and_logged_per_candidate(
    client: Client, people, linked, home
) -> None:
    signal = pending(people, linked)[0]
    case = case_of(home, linked, signal)
    client.force_login(people["debt"])
    listing = client.get(f"/vroegsignalen/beoordelen/?activiteit={linked}").content.decode()
    assert f'href="{url(signal, linked)}"' in listing.replace("&amp;", "&")
    assert "analysis activity" not in listing and 'id="review-how"' in listing
    page = client.get(url(signal, linked))
    assert page.status_code == 200
    html = page.content.decode()
    # The signal as the partner sent it, beside every candidate by name: never a BSN.
    assert signal.signaalid in html and "€ " in html
    assert case.record["geslachtsnaam"] in html
    names = persons_named(home=home, persons=[c.brp_id for c in case.candidates])
    assert len(names) == len(case.candidates) >= 1
    for candidate in case.candidates:
        assert candidate.fields["voornamen"] in html
        assert f'id="candidate-{candidate.rank}"' in html
    bsns = [person_bsn(home=home, person=c.brp_id) for c in case.candidates]
    assert not any(bsn in html for bsn in bsns), "a BSN on the page"
    assert all(c.brp_id not in html and c.person_id not in html for c in case.candidates)
    # Per comparison the level and whether it counts for or against.
    assert re.search(r'data-evidence="(for|against|neutral)"', html)
    assert nl_context("signal review", "Same person") in html and nl("Not this person") in html
    # One processing record per candidate shown, by BRP pseudonym, under the activity.
    records = logged(REVIEW_READ)
    assert sorted(r.data_subject_id for r in records) == sorted(c.brp_id for c in case.candidates)
    assert {r.data_subject_id_type for r in records} == {SUBJECT_TYPE}
    assert {r.processing_activity_id for r in records} == {
        f"urn:meedoen:verwerkingsactiviteit:{linked}"
    }
    access = AccessRecord.objects.get(trace_id=records[0].trace_id)
    assert (access.user_name, access.operation, access.channel) == ("debt", REVIEW_READ, "web")
    # Opening the list read no person.
    assert not logged(REVIEW_DECIDE)


def test_same_person_puts_the_signal_on_its_household_at_once_and_a_new_linkage_keeps_it(
    client: Client, people, linked, home, truth
) -> None:
    """The debt worker chooses the person the generator made the signal about."""
    chosen = None
    for signal in pending(people, linked):
        case = case_of(home, linked, signal)
        right = person_pseudonym(home=home, bsn=truth[signal.signaalid])
        chosen = next(((signal, c) for c in case.candidates if c.brp_id == right), None)
        if chosen:
            break
    assert chosen, "no signal awaiting review has its true person among the candidates"
    signal, candidate = chosen
    assert holding(linked, signal.signaalid) == []
    client.force_login(people["debt"])
    answer = client.post(url(signal, linked), {"rank": candidate.rank, "decision": "accepted"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/vroegsignalen/beoordelen/?activiteit={linked}"
    shown = client.get(answer["Location"]).content.decode()
    linked_now = "Signal %(signal)s is linked to the person you chose and is on the work list now."
    assert nl(linked_now) % {"signal": signal.signaalid} in shown
    assert f">{signal.signaalid}<" not in shown  # no longer a signal without a household
    # On the household of the person chosen, at once: the work list's row holds it.
    [row] = holding(linked, signal.signaalid)
    assert candidate.brp_id in row.persons
    household = client.get(f"/vroegsignalen/{row.pk}/").content.decode()
    assert f'data-signal="{signal.signaalid}"' in household
    decided = logged(REVIEW_DECIDE)
    assert [(r.data_subject_id, r.data_subject_id_type) for r in decided] == [
        (candidate.brp_id, SUBJECT_TYPE)
    ]
    # Decided: the token opens nothing any more (a styled page).
    gone = client.get(url(signal, linked))
    assert gone.status_code == 404 and nl("Page not found") in gone.content.decode()
    # A new linkage (new run, new tokens) keeps the decision: the signal stays on the household.
    signals_link(
        activity_id=linked, actor=actor(people["admin"]), trace=TraceContext.start(), via="cli"
    )
    [again] = holding(linked, signal.signaalid)
    assert again.pk == row.pk and candidate.brp_id in again.persons
    assert signal.signaalid not in {s.signaalid for s in pending(people, linked)}


def test_not_this_person_for_the_only_candidate_leaves_the_signal_unlinked(
    client: Client, people, linked, home
) -> None:
    only = [
        (signal, case.candidates[0])
        for signal in pending(people, linked)
        if len((case := case_of(home, linked, signal)).candidates) == 1
    ]
    assert only, "no signal awaiting review has a single candidate"
    signal, candidate = only[0]
    client.force_login(people["debt"])
    answer = client.post(url(signal, linked), {"rank": 1, "decision": "rejected"})
    assert answer.status_code == 302
    shown = client.get(answer["Location"]).content.decode()
    rejected = "Every candidate is rejected: signal %(signal)s stays off the work list."
    assert nl(rejected) % {"signal": signal.signaalid} in shown
    [row] = [
        s
        for s in unlinked_read(
            actor=actor(people["debt"]), activity_id=linked, trace=TraceContext.start()
        ).signals
        if s.signaalid == signal.signaalid
    ]
    assert (row.status, row.reason) == ("rejected", "rejected in review")
    assert holding(linked, signal.signaalid) == []
    assert [r.data_subject_id for r in logged(REVIEW_DECIDE)] == [candidate.brp_id]
    # The list says so, without a link to review it.
    assert nl("Rejected in review") in shown and f"/{signal.review_token}/" not in shown
    # A new linkage remembers the decision: the person is not offered for the signal again.
    signals_link(
        activity_id=linked, actor=actor(people["admin"]), trace=TraceContext.start(), via="cli"
    )
    assert holding(linked, signal.signaalid) == []
    again = [s for s in pending(people, linked) if s.signaalid == signal.signaalid]
    assert all(
        candidate.brp_id not in {c.brp_id for c in case_of(home, linked, s).candidates}
        for s in again
    )


def test_a_person_with_a_secrecy_indication_is_shown_without_an_address(
    client: Client, people, linked, home
) -> None:
    """Neither the register's address nor how it compares with the partner's is shown."""
    signal = pending(people, linked)[0]
    case = case_of(home, linked, signal)
    secret = case.candidates[0]
    bsn = person_bsn(home=home, person=secret.brp_id)
    with duckdb.connect(str(home / "vault" / "vault.duckdb")) as vault:
        vault.execute(
            "UPDATE identity.ingeschrevenpersoon SET indicatiegeheim = '7' "
            "WHERE burgerservicenummer = ?",
            [bsn],
        )
    client.force_login(people["debt"])
    html = client.get(url(signal, linked)).content.decode()
    rows = {r[0]: r[1:] for r in cells(html, "review")}
    hidden = nl("Not shown: a secrecy indication in the BRP.")
    column = secret.rank  # after the partner's column
    assert rows[nl("Address")][column] == hidden
    assert rows[nl("Comparison: %(label)s") % {"label": nl("Address")}][column] == hidden
    assert (
        f"{secret.fields['postcode'][:4]} {secret.fields['postcode'][4:]}"
        not in (rows[nl("Address")][column])
    )
    others = [c for c in case.candidates if c.rank != secret.rank]
    for other in others:  # the others keep theirs
        assert rows[nl("Address")][other.rank] != hidden
    # Still logged: the person is shown, by name.
    assert secret.brp_id in {r.data_subject_id for r in logged(REVIEW_READ)}


@pytest.mark.parametrize("who", ["wijk", "analyst", "admin"])
def test_other_roles_get_403_and_nothing_is_read_or_decided(
    client: Client, people, linked, home, who
) -> None:
    signal = pending(people, linked)[0]
    client.force_login(people[who])
    page = client.get(url(signal, linked))
    assert page.status_code == 403 and nl("No access") in page.content.decode()
    post = client.post(url(signal, linked), {"rank": 1, "decision": "accepted"})
    assert post.status_code == 403
    assert review_logs() == 0
    assert signal.review_token in {s.review_token for s in pending(people, linked)}


def test_a_debt_worker_without_an_approved_activity_gets_403(
    client: Client, people, linked, home
) -> None:
    signal = pending(people, linked)[0]
    activity_revoke(activity_id=linked, actor=actor(people["officer"]), motivation="DPIA verlopen")
    client.force_login(people["debt"])
    assert client.get(url(signal, linked)).status_code == 403
    assert client.get(f"/vroegsignalen/beoordelen/{signal.review_token}/").status_code == 403
    post = client.post(url(signal, linked), {"rank": 1, "decision": "accepted"})
    assert post.status_code == 403
    assert review_logs() == 0


def test_no_activity_at_all_is_403(client: Client, people, home) -> None:
    client.force_login(people["debt"])
    assert client.get(f"/vroegsignalen/beoordelen/{'A' * 22}/").status_code == 403
    assert review_logs() == 0


def test_a_token_of_no_signal_awaiting_review_is_404(client: Client, people, linked, home) -> None:
    old = pending(people, linked)[0]
    client.force_login(people["debt"])
    for token in ("abc", "A" * 22, "A" * 23, "A" * 21 + "."):
        answer = client.get(f"/vroegsignalen/beoordelen/{token}/?activiteit={linked}")
        assert answer.status_code == 404, token
        assert nl("Page not found") in answer.content.decode()
    # A new linkage issues new tokens: the old one belongs to an earlier run.
    signals_link(
        activity_id=linked, actor=actor(people["admin"]), trace=TraceContext.start(), via="cli"
    )
    assert old.review_token not in {s.review_token for s in pending(people, linked)}
    assert client.get(url(old, linked)).status_code == 404
    post = client.post(url(old, linked), {"rank": 1, "decision": "accepted"})
    assert post.status_code == 404
    assert review_logs() == 0


def test_a_decision_that_is_none_is_refused_with_nothing_stored(
    client: Client, people, linked, home
) -> None:
    signal = pending(people, linked)[0]
    client.force_login(people["debt"])
    for body in ({"rank": 1, "decision": "maybe"}, {"rank": "9", "decision": "accepted"}, {}):
        answer = client.post(url(signal, linked), body)
        assert answer.status_code == 302 and answer["Location"] == url(signal, linked), body
    page = client.get(url(signal, linked)).content.decode()
    assert nl("The decision could not be processed: %(reason)s").split("%")[0] in page
    assert not logged(REVIEW_DECIDE)
    assert signal.review_token in {s.review_token for s in pending(people, linked)}
