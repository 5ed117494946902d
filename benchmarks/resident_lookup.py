"""Who used my data (issue 22): one resident's page of processing records on an audit log at
national scale, against reading all of their records and against scanning the log.

    make bench-resident                                  # 12 deliveries of 17,900,000 persons
    PERSONS=1000000 DELIVERIES=3 make bench-resident     # a smaller log
    DATABASE_URL=postgresql://…/empty_db make bench-resident   # on PostgreSQL (an empty database)

Builds the log in a fresh workspace's web database (SQLite unless DATABASE_URL names an empty
database, which is migrated first) the way ``benchmarks/audit_verify.py`` does (its
``delivery``: DELIVERIES monthly full deliveries of FILES ``intake.load`` records, each
referencing a serial subject set of about PERSONS persons), and adds the use a resident sees:

- per month ACTIONS / DELIVERIES family views by case workers: an access record, and one
  processing record per member shown (1 to 4 persons, by BRP pseudonym), the case in the detail;
- per month HOUSEHOLDS household builds, each referencing a serial set of ANALYSED persons at
  random (as a build logs the activity's persons);
- one heavy resident: VISITS views of their own page (left out of the list) and HEAVY family
  views of them.

Then, in-process, after one warm-up, for SAMPLE persons (half of them shown in a family view,
half at random from the population; every person with a pseudonym per domain, like a real one):

- ``resident_processing_page`` (page 1, 50 actions: paged and grouped in the database, with the
  plain-language rows: activity register, cases, teams);
- the unpaged alternative: ``audit_records(person=…, limit=None)``, grouped and cut in Python;
- for SCAN persons, the naive alternative: reading every processing record and every set it
  references whole (what the page would cost without the log's subject index).

Also the heavy resident's first and a deep page. Prints a table and writes
``benchmarks/results/resident_lookup.md``.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import audit_verify
from benchmarks.audit_verify import delivery, meedoen

PERSONS = audit_verify.PERSONS  # PERSONS, DELIVERIES and FILES as audit_verify reads them
DELIVERIES = audit_verify.DELIVERIES
FILES = audit_verify.FILES
ACTIONS = int(os.environ.get("ACTIONS", "100000"))
HOUSEHOLDS = int(os.environ.get("HOUSEHOLDS", "1"))
ANALYSED = int(os.environ.get("ANALYSED", "2000000"))
VISITS = int(os.environ.get("VISITS", "2000"))
HEAVY = int(os.environ.get("HEAVY", "300"))
SAMPLE = int(os.environ.get("SAMPLE", "200"))
SCAN = int(os.environ.get("SCAN", "3"))
DATABASE = os.environ.get("DATABASE_URL", "")
RESULTS = Path(__file__).parent / "results" / "resident_lookup.md"
#: The heavy resident's number in the register.
HEAVY_SERIAL = 4_242
DOMAINS = ("brp", "wmo", "jeugd", "participatie", "schulden", "signalen", "cbs", "betrokkenheid")


def pseudonym(serial: int, kind: str = "brp") -> str:
    """A stand-in for the person's pseudonym of a domain (64 hex digits, like an HMAC)."""
    return f"{zlib.crc32(kind.encode()) & 0xFFFF:04x}{serial:060x}"


def person_of(serial: int) -> Any:
    from meedoen_data.audit_person import LoggedPerson

    names = {f"pseudonym-{d}": pseudonym(serial, d) for d in DOMAINS}
    names.update({f"pseudonym-activity-{a}": pseudonym(serial, f"a{a}") for a in (1, 2)})
    return LoggedPerson(known=True, serial=serial, pseudonyms=names)


def django_on(home: Path) -> None:
    os.environ["MEEDOEN_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "meedoen.conf.settings"
    import django

    django.setup()
    if DATABASE:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def register() -> tuple[int, int]:
    """The family activity (operational) and the household activity, approved; their ids."""
    from meedoen.accounts.models import User
    from meedoen.accounts.roles import Role
    from meedoen.activities.actors import Actor
    from meedoen.activities.services import activity_approve, activity_request

    analyst = User.objects.create(username="analyst", role=Role.ANALYST)
    officer = User.objects.create(username="officer", role=Role.PRIVACY_OFFICER)
    User.objects.create(username="wijk", role=Role.CASE_WORKER, team="wijkteam-noord")
    ids = []
    for name, kind, roles in (
        ("Gezinscontext", "uitvoering", ["case_worker"]),
        ("Huishoudens", "analyse", []),
    ):
        activity = activity_request(
            actor=Actor(analyst.username, analyst),
            name=name,
            purpose=f"{name}: doel",
            legal_basis="Jeugdwet art. 7.4.0",
            sources=["brp"],
            retention_days=365,
            data_categories="BRP",
            recipients="wijkteam",
            dpia_reference="DPIA-1",
            kind=kind,
            roles=roles,
        )
        activity_approve(
            activity_id=activity.pk,
            actor=Actor(officer.username, officer),
            motivation="akkoord",
            version=1,
        )
        ids.append(activity.pk)
    return ids[0], ids[1]


def family_views(
    month: int, rng: np.random.Generator, count: int, activity: int, *, heavy: int = 0
) -> list[int]:
    """``count`` family views (and ``heavy`` more of the heavy resident); the serials of the
    persons the cases were about."""
    from meedoen.audits.services import _append, activity_uri

    now = datetime.now(UTC)
    cases = rng.integers(0, PERSONS - 4, size=count + heavy)
    cases[count:] = HEAVY_SERIAL
    sizes = rng.integers(1, 5, size=count + heavy)
    traces = [f"{month:04x}{i:028x}" for i in range(count + heavy)]
    _append(
        "access",
        (
            {
                "trace_id": trace,
                "at": now,
                "user_name": "wijk",
                "user_role": "case_worker",
                "channel": "web",
                "client": "127.0.0.1",
                "operation": "casework.family.read",
            }
            for trace in traces
        ),
    )
    _append(
        "processing",
        (
            {
                "trace_id": trace,
                "span_id": f"{i:016x}",
                "parent_span_id": "",
                "name": "casework.family.read",
                "status": "Ok",
                "start_time": now,
                "end_time": now,
                "processing_activity_id": activity_uri(activity),
                "data_subject_id": pseudonym(int(case) + member),
                "data_subject_id_type": "pseudonym-brp",
                "resource": "bench",
                "detail": f"case C2026-{i % 999_999:06d}: {size} members shown (geopend)",
            }
            for i, (trace, case, size) in enumerate(zip(traces, cases, sizes, strict=True))
            for member in range(int(size))
        ),
    )
    return [int(c) for c in cases[:count]]


def household_builds(month: int, rng: np.random.Generator, activity: int) -> None:
    from meedoen.audits.services import activity_uri, audit_action
    from meedoen.audits.trace import TraceContext
    from meedoen_data.audit_sets import subject_set_serials

    for _ in range(HOUSEHOLDS):
        serials = rng.choice(PERSONS, ANALYSED, replace=False).astype(np.uint32)
        serials[0] = HEAVY_SERIAL
        made = subject_set_serials(subject_type="person", serials=serials)
        audit_action(
            trace=TraceContext.start(),
            user_name="analyst",
            user_role="analyst",
            channel="web",
            client="bench",
            operation="household.build",
            activity=activity_uri(activity),
            subjects={f"pseudonym-activity-{activity}": made},
            started=datetime.now(UTC),
            detail=f"peildatum 2026-{month + 1:02d}-01",
        )


def visits(count: int) -> None:
    """The heavy resident looking at their own page ``count`` times."""
    from meedoen.audits.services import _append
    from meedoen.residents.processing import PROCESSING_VIEW
    from meedoen.residents.services import RESIDENT_ACTIVITY

    now = datetime.now(UTC)
    traces = [f"ffff{i:028x}" for i in range(count)]
    _append(
        "access",
        (
            {
                "trace_id": t,
                "at": now,
                "user_name": "inwoner",
                "user_role": "resident",
                "channel": "web",
                "client": "",
                "operation": PROCESSING_VIEW,
            }
            for t in traces
        ),
    )
    _append(
        "processing",
        (
            {
                "trace_id": t,
                "span_id": f"{i:016x}",
                "parent_span_id": "",
                "name": PROCESSING_VIEW,
                "status": "Ok",
                "start_time": now,
                "end_time": now,
                "processing_activity_id": RESIDENT_ACTIVITY,
                "data_subject_id": pseudonym(HEAVY_SERIAL),
                "data_subject_id_type": "pseudonym-brp",
                "resource": "bench",
                "detail": "/mijn/verwerkingen/",
            }
            for i, t in enumerate(traces)
        ),
    )


def build() -> tuple[list[int], float]:
    """The log; the serials of persons shown in a family view; seconds."""
    rng = np.random.default_rng(2026)
    family, households = register()
    shown: list[int] = []
    start = time.perf_counter()
    per_month = ACTIONS // DELIVERIES
    for month in range(DELIVERIES):
        delivery(month, rng)
        shown += family_views(
            month, rng, per_month, family, heavy=HEAVY if month == DELIVERIES - 1 else 0
        )
        household_builds(month, rng, households)
    visits(VISITS)
    return shown, time.perf_counter() - start


def unpaged(person: Any) -> list[list[dict[str, Any]]]:
    """All of the person's records (the selector without an offset), grouped and cut in
    Python: the first page of 50 actions."""
    from meedoen.audits.selectors import audit_records

    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in audit_records(person=person, limit=None):
        if row["name"].startswith("resident.") and row["name"].endswith(("view", "read")):
            continue
        grouped.setdefault((row["trace_id"], row["name"]), []).append(row)
    return list(grouped.values())[:50]


def scan(person: Any) -> int:
    """Without the subject index: every processing record read, and every subject set it
    references read whole and searched for the person. The number of records found."""
    from meedoen.audits.models import ProcessingRecord, SubjectSetContainer, SubjectSetMember
    from meedoen_data.audit_sets import Container, container_key

    names = set(person.pseudonyms.values())
    holds: dict[int, bool] = {}
    found = 0
    for subject, set_id in (
        ProcessingRecord.objects.order_by("-position")
        .values_list("data_subject_id", "subject_set_id")
        .iterator(chunk_size=10_000)
    ):
        if set_id is None:
            found += subject in names
            continue
        if set_id not in holds:
            members = SubjectSetMember.objects.filter(subject_set_id=set_id).values_list(
                "subject", flat=True
            )
            held = any(m in names for m in members.iterator(chunk_size=10_000))
            key = container_key(person.serial)
            for k, bitmap in SubjectSetContainer.objects.filter(subject_set_id=set_id).values_list(
                "key", "bitmap"
            ):
                held = held or (k == key and person.serial in Container(k, bytes(bitmap)))
            holds[set_id] = held
        found += holds[set_id]
    return found


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def median_of(call: Callable[[], Any], runs: int) -> float:
    return statistics.median(timed(call)[0] for _ in range(runs))


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


#: (label, what is timed) per row of the table; the first is the page itself.
LOOKUPS = (
    "`resident_processing_page`: the whole page (50 actions, rows in plain language)",
    "of which `audit_person_actions`: the records, grouped and paged in the database",
    "`audit_records(person=…)` unpaged: every record of the person, grouped in Python",
)


def lookups(person: Any, page: int = 1) -> list[Callable[[], Any]]:
    from meedoen.audits.selectors import audit_person_actions
    from meedoen.residents.processing import OWN_VIEWS, resident_processing_page

    return [
        lambda: resident_processing_page(person=person, page=page),
        lambda: audit_person_actions(
            person=person, offset=(page - 1) * 50, limit=50, leave_out=OWN_VIEWS
        ),
        lambda: unpaged(person),
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        meedoen("init", "--home", str(home))
        django_on(home)
        from django.db import connection

        from meedoen.audits.models import AccessRecord, ProcessingRecord, SubjectSet

        shown, built = build()
        vendor = connection.vendor
        if vendor == "postgresql":  # the statistics autovacuum keeps after a load like this
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        records, sets = ProcessingRecord.objects.count(), SubjectSet.objects.count()
        access = AccessRecord.objects.count()
        size = (home / "web.sqlite3").stat().st_size if vendor == "sqlite" else 0
        rng = np.random.default_rng(7)
        half = SAMPLE // 2
        serials = [int(s) for s in rng.choice(shown, half, replace=False)]
        serials += [int(s) for s in rng.integers(0, PERSONS, SAMPLE - half)]
        persons = [person_of(s) for s in serials]
        for call in lookups(persons[0]):  # warm-up
            call()
        timings: list[list[float]] = [[] for _ in LOOKUPS]
        actions: list[int] = []
        for person in persons:
            for number, call in enumerate(lookups(person)):
                ms, result = timed(call)
                timings[number].append(ms)
                if number == 0:
                    actions.append(len(result.rows))
        scan_ms = [timed(lambda p=p: scan(p))[0] for p in persons[:SCAN]]
        heavy = person_of(HEAVY_SERIAL)
        heavy_first = [median_of(call, 5) for call in lookups(heavy)]
        heavy_deep = [median_of(call, 5) for call in lookups(heavy, page=6)]
        deep = len(resident_page(heavy, 6).rows)
    where = (
        f"SQLite web database of {size / 1e6:,.0f} MB"
        if vendor == "sqlite"
        else "PostgreSQL, analysed after the load (as autovacuum would)"
    )
    page95 = percentiles(timings[0])[1]
    lines = [
        f"# Who used my data: a resident's page of the audit log ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Log: {DELIVERIES} monthly full deliveries of {PERSONS:,} persons, {FILES} "
        "`intake.load` records each referencing its own serial subject set (as "
        "`benchmarks/audit_verify.py` builds them); "
        f"{ACTIONS:,} family views by case workers (1 to 4 persons each, by BRP pseudonym); "
        f"{HOUSEHOLDS * DELIVERIES} household builds each referencing a set of {ANALYSED:,} "
        f"persons; one heavy resident with {VISITS:,} views of their own page and {HEAVY} "
        f"family views. {records:,} processing records, {access:,} access records, {sets:,} "
        f"subject sets; {where}. Built in {built:.0f} s. {SAMPLE} persons ({half} shown in a "
        "family view, the rest at random), each with a pseudonym per domain and two activity "
        "pseudonyms; in-process, after one warm-up (`make bench-resident`).",
        "",
        "| lookup | persons | p50 ms | p95 ms | max ms | p95 / page's p95 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, values in zip(LOOKUPS, timings, strict=True):
        p50, p95, top = percentiles(values)
        lines.append(
            f"| {label} | {len(values)} | {p50:,.1f} | {p95:,.1f} | {top:,.1f} | "
            f"{p95 / page95:,.2f}x |"
        )
    s50, s95, stop = percentiles(scan_ms)
    lines += [
        f"| every record scanned, every set it references read whole (no subject index) | "
        f"{len(scan_ms)} | {s50:,.0f} | {s95:,.0f} | {stop:,.0f} | {s95 / page95:,.0f}x |",
        "",
        f"Actions on page 1 per person: {min(actions)} to {max(actions)}.",
        "",
        f"The heavy resident ({HEAVY} family views, {VISITS:,} views of their own page, "
        f"page 6 holds {deep} actions), median ms of 5:",
        "",
        "| lookup | page 1 | page 6 |",
        "|---|---:|---:|",
        *(
            f"| {label} | {first:,.1f} | {later:,.1f} |"
            for label, first, later in zip(LOOKUPS, heavy_first, heavy_deep, strict=True)
        ),
        "",
        "Not in these figures: finding the person's names (`resident_logged_person`: the "
        "vault's register by BRP pseudonym, then every pseudonym from the keys), which the "
        "page does once per view; `benchmarks/results/audit_lookup.md` measured it on a "
        "national vault (p95 about 0.33 s). A record per person (the layout before subject "
        "sets) cannot be built at this scale: `benchmarks/results/audit_sets.md` extrapolates "
        "8.9 GB per national ingest. Target of issue 22: the page under 1 s p95 at national "
        "scale.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


def resident_page(person: Any, page: int) -> Any:
    from meedoen.residents.processing import resident_processing_page

    return resident_processing_page(person=person, page=page)


if __name__ == "__main__":
    main()
