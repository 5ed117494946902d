"""Early-warning signals of payment arrears (Wgs) for debt help: transparent triage rules
(:mod:`rules`) and the signals per household (:mod:`worklist`). Linking the signals to persons
is :func:`meedoen_data.linkage.signals.link_signals`. Docs: docs/users/debt-worker.md."""

from __future__ import annotations

from meedoen_data.signals.rules import (
    PRIORITIES,
    Rule,
    RuleError,
    RuleSet,
    Signal,
    Triage,
    rules_load,
    signal_kinds,
    triage,
)
from meedoen_data.signals.worklist import (
    SignalHousehold,
    SignalsError,
    SignalsRead,
    UnlinkedSignal,
    signals_read,
)

__all__ = [
    "PRIORITIES",
    "Rule",
    "RuleError",
    "RuleSet",
    "Signal",
    "SignalHousehold",
    "SignalsError",
    "SignalsRead",
    "Triage",
    "UnlinkedSignal",
    "rules_load",
    "signal_kinds",
    "signals_read",
    "triage",
]
