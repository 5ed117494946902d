"""The early-warning signals of a debt-help activity, per household, read in the identity zone.

:func:`signals_read` joins the signals (vault copy, kept whole) with the links of the
activity's latest signal linkage (:mod:`meedoen_data.linkage.signals`, its linkage file) and
groups the linked ones by the household the person lives in on the given day: the dwelling of
the person's address then (its address pseudonym is the household's key), or the person alone
when the register has no address for them that day (moved away, deceased). Signals that are
not linked (awaiting review, unmatched) come back apart, with the reason.

Who may read this, and the logging of every person shown, are the caller's: only a debt-help
worker under an approved operational activity with the debt-help task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from meedoen_data.activity_store import linkage_path
from meedoen_data.casework.family import _columns, _has, address_format, zone_open
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.linkage.signals import SOURCE
from meedoen_data.signals.rules import Signal
from meedoen_data.workspace import Workspace

__all__ = ["SignalHousehold", "SignalsError", "SignalsRead", "UnlinkedSignal", "signals_read"]

#: Link statuses that put a signal on a household (``pending`` ones are shown apart).
LINKED = ("bsn", "auto", "accepted")


@dataclass(frozen=True)
class Person:
    pseudonym: str  # BRP pseudonym: the audit log's subject
    name: str
    birth_date: date | None


@dataclass
class SignalHousehold:
    #: ``A:`` + the dwelling's address pseudonym, or ``P:`` + the person's BRP pseudonym.
    key: str
    wijk: str  # CBS wijk code of the dwelling ("" unknown)
    address: str  # "" when a person has a secrecy indication or the address is unknown
    address_hidden: bool
    #: The persons the signals are about (not every resident), first the one with most signals.
    persons: list[Person]
    signals: list[Signal]
    #: signaalid -> BRP pseudonym of the person it names.
    signal_person: dict[str, str]
    #: A resident (or a person the signals are about) has an open debt-help trajectory on the day.
    in_debt_help: bool = False

    @property
    def subjects(self) -> list[str]:
        return [p.pseudonym for p in self.persons]


@dataclass(frozen=True)
class UnlinkedSignal:
    signaalid: str
    partner: str
    signal_date: date
    status: str  # pending (awaiting review), unmatched or rejected
    reason: str
    best_probability: float | None
    review_token: str | None  # opens the record in the review (pending only)


@dataclass
class SignalsRead:
    run_id: str | None  # None: the signals were never linked under this activity
    linked_at: datetime | None
    households: list[SignalHousehold] = field(default_factory=list)
    unlinked: list[UnlinkedSignal] = field(default_factory=list)


class SignalsError(Exception):
    """The signals cannot be read: nothing delivered, or the linkage file is in use."""


def signals_read(*, home: Path, activity_id: int, on: date, since: date) -> SignalsRead:
    """The signals dated ``since`` .. ``on`` per household (see the module)."""
    workspace = Workspace(home)
    path = linkage_path(workspace, activity_id)
    with zone_open(home) as con:
        if not _has(con, "vault", "identity", SOURCE):
            return SignalsRead(None, None)
        if not path.exists():
            return SignalsRead(None, None, unlinked=_never_linked(con, on, since))
        try:
            con.execute("ATTACH ? AS state (READ_ONLY)", [str(path)])
        except duckdb.Error as exc:
            raise SignalsError(
                "the activity's linkage file is in use (a linkage is running); try again when "
                f"it has finished ({str(exc).splitlines()[0]})"
            ) from None
        latest = con.execute(
            "SELECT run_id, started_at FROM state.run WHERE source = ? "
            "ORDER BY started_at DESC LIMIT 1",
            [SOURCE],
        ).fetchall()
        if not latest:
            return SignalsRead(None, None, unlinked=_never_linked(con, on, since))
        run_id, started = str(latest[0][0]), latest[0][1]
        rows = con.execute(
            """
            SELECT s.signaalid, s.signaalpartner, s.signaaldatum, s.bedrag, s.ontstaansdatum,
                   coalesce(s.crisissignaal, 'N') = 'J', l.bsn, l.status, l.reason,
                   l.match_probability, t.token
            FROM vault.identity.vroegsignaal s
            LEFT JOIN state.link l
              ON l.run_id = $run AND l.source = $source AND l.klantnummer = s.signaalid
            LEFT JOIN state.review_token t
              ON t.run_id = l.run_id AND t.source = l.source AND t.klantnummer = l.klantnummer
            WHERE s.signaaldatum BETWEEN $since AND $on
            ORDER BY s.signaaldatum, s.signaalid
            """,
            {"run": run_id, "source": SOURCE, "since": since, "on": on},
        ).fetchall()
        read = SignalsRead(run_id, started)
        linked: list[tuple[Signal, str]] = []
        for sid, partner, day, amount, arrears, crisis, bsn, status, reason, p, token in rows:
            signal = Signal(str(sid), str(partner), day, amount, arrears, bool(crisis))
            if bsn is not None and status in LINKED:
                linked.append((signal, str(bsn)))
                continue
            if status is None:
                status, reason = "not_linked", "delivered after the last linkage"
            read.unlinked.append(
                UnlinkedSignal(
                    signal.signaalid,
                    signal.partner,
                    day,
                    str(status),
                    str(reason or ""),
                    None if p is None else float(p),
                    None if token is None else str(token),
                )
            )
        read.households = _households(con, home, linked, on)
    return read


def _never_linked(con: duckdb.DuckDBPyConnection, on: date, since: date) -> list[UnlinkedSignal]:
    rows = con.execute(
        "SELECT signaalid, signaalpartner, signaaldatum FROM vault.identity.vroegsignaal "
        "WHERE signaaldatum BETWEEN ? AND ? ORDER BY signaaldatum, signaalid",
        [since, on],
    ).fetchall()
    reason = "the signals have not been linked under this activity yet"
    return [UnlinkedSignal(str(s), str(p), d, "not_linked", reason, None, None) for s, p, d in rows]


def _households(
    con: duckdb.DuckDBPyConnection,
    home: Path,
    linked: list[tuple[Signal, str]],
    on: date,
) -> list[SignalHousehold]:
    bsns = sorted({bsn for _, bsn in linked})
    if not bsns:
        return []
    key = domain_key(Workspace(home).keys, "brp")
    secret = (
        "coalesce(indicatiegeheim, '0') NOT IN ('', '0')"
        if "indicatiegeheim" in _columns(con, "vault", "identity", "ingeschrevenpersoon")
        else "false"
    )
    persons = {
        str(r[0]): (
            " ".join(p for p in (r[1], r[2], r[3]) if p),
            r[4],
            bool(r[5]),
        )
        for r in con.execute(
            _PERSONS.format(secret=secret),
            {"b": bsns},
        ).fetchall()
    }
    # The address on the day: (address pseudonym, BAG id, nummeraanduiding id); the latest
    # start wins when a delivery overlaps.
    address: dict[str, tuple[str, str, str]] = {}
    for bsn, pseudo, dwelling, number in con.execute(
        "SELECT burgerservicenummer, adresseerbaarobjectidentificatie_pseudonym, "
        "adresseerbaarobjectidentificatie, coalesce(nummeraanduidingidentificatie, '') "
        "FROM vault.identity.verblijfplaats WHERE list_contains($b, burgerservicenummer) "
        "AND datumvan <= $on AND (datumtot IS NULL OR datumtot > $on) ORDER BY datumvan",
        {"b": bsns, "on": on},
    ).fetchall():
        address[str(bsn)] = (str(pseudo), str(dwelling), str(number))
    dwellings = sorted({a[1] for a in address.values()})
    residents: dict[str, set[str]] = {}
    for dwelling, bsn in con.execute(
        "SELECT adresseerbaarobjectidentificatie, burgerservicenummer "
        "FROM vault.identity.verblijfplaats WHERE list_contains($d, "
        "adresseerbaarobjectidentificatie) AND datumvan <= $on "
        "AND (datumtot IS NULL OR datumtot > $on)",
        {"d": dwellings, "on": on},
    ).fetchall():
        residents.setdefault(str(dwelling), set()).add(str(bsn))
    wijk = _wijken(con, sorted({a[0] for a in address.values()}))
    in_help = _in_debt_help(con, sorted({*bsns, *(b for r in residents.values() for b in r)}), on)

    texts = _address_texts(con, {(a[1], a[2]) for a in address.values()})
    groups: dict[str, SignalHousehold] = {}
    counts: dict[str, dict[str, int]] = {}
    for signal, bsn in linked:
        person = pseudonym(key, bsn)
        found = address.get(bsn)
        household_key = f"A:{found[0]}" if found else f"P:{person}"
        household = groups.get(household_key)
        if household is None:
            hidden = False
            text = ""
            if found:
                living = residents.get(found[1], set())
                hidden = any(persons.get(b, ("", None, False))[2] for b in living | {bsn})
                text = "" if hidden else texts.get((found[1], found[2]), "")
            household = SignalHousehold(
                key=household_key,
                wijk=wijk.get(found[0], "") if found else "",
                address=text,
                address_hidden=hidden,
                persons=[],
                signals=[],
                signal_person={},
                in_debt_help=bsn in in_help
                or (found is not None and bool(residents.get(found[1], set()) & in_help)),
            )
            groups[household_key] = household
            counts[household_key] = {}
        household.signals.append(signal)
        household.signal_person[signal.signaalid] = person
        counts[household_key][bsn] = counts[household_key].get(bsn, 0) + 1
    for household_key, household in groups.items():
        ranked = sorted(counts[household_key].items(), key=lambda item: (-item[1], item[0]))
        for bsn, _ in ranked:
            name, birth, _secret = persons.get(bsn, ("", None, False))
            household.persons.append(Person(pseudonym(key, bsn), name, birth))
    return sorted(groups.values(), key=lambda h: h.key)


_PERSONS = (
    "SELECT burgerservicenummer, voornamen, voorvoegsel, geslachtsnaam, datumgeboorte, {secret} "
    "FROM vault.identity.ingeschrevenpersoon WHERE list_contains($b, burgerservicenummer)"
)


def _address_texts(
    con: duckdb.DuckDBPyConnection, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(BAG id of the dwelling, nummeraanduiding id) -> "Street 12A-2, 1234 AB Place", in one
    read (the nummeraanduiding named, else any of the dwelling's)."""
    if not wanted or not _has(con, "vault", "identity", "nummeraanduiding"):
        return {}
    dwellings = sorted({d for d, _ in wanted})
    rows = con.execute(
        "SELECT adresseerbaarobjectidentificatie, identificatie, openbareruimtenaam, "
        "huisnummer, huisletter, huisnummertoevoeging, postcode, woonplaatsnaam "
        "FROM vault.identity.nummeraanduiding "
        "WHERE list_contains($d, adresseerbaarobjectidentificatie) ORDER BY identificatie",
        {"d": dwellings},
    ).fetchall()
    by_number: dict[str, str] = {}
    by_dwelling: dict[str, str] = {}
    for dwelling, number, *parts in rows:
        text = address_format(*parts)
        by_number[str(number)] = text
        by_dwelling.setdefault(str(dwelling), text)
    return {(d, n): by_number.get(n) or by_dwelling.get(d, "") for d, n in wanted}


def _wijken(con: duckdb.DuckDBPyConnection, addresses: Iterable[str]) -> dict[str, str]:
    wanted = list(addresses)
    if not wanted or not _has(con, "analytics", "source", "nummeraanduiding"):
        return {}
    return {
        str(a): str(w or "")
        for a, w in con.execute(
            "SELECT address_pseudonym, any_value(wijkcode) FROM analytics.source.nummeraanduiding "
            "WHERE list_contains($a, address_pseudonym) GROUP BY 1",
            {"a": wanted},
        ).fetchall()
    }


def _in_debt_help(con: duckdb.DuckDBPyConnection, bsns: list[str], on: date) -> set[str]:
    """The persons among ``bsns`` with a debt-help trajectory open on ``on``."""
    if not bsns or not _has(con, "vault", "identity", "schuldhulptraject"):
        return set()
    return {
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT v.burgerservicenummer FROM vault.identity.schuldhulptraject v "
            "JOIN analytics.source.schuldhulptraject a "
            "ON a.person_pseudonym = v.burgerservicenummer_pseudonym "
            "WHERE list_contains($b, v.burgerservicenummer) AND a.startdatum <= $on "
            "AND (a.einddatum IS NULL OR a.einddatum >= $on)",
            {"b": bsns, "on": on},
        ).fetchall()
    }
