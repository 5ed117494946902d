"""W3C Trace Context: one trace per command or web request, one span per logged action.

A caller may pass its own context (the ``traceparent`` HTTP header, or the TRACEPARENT
environment variable for the command line) so that meedoen's records join the caller's trace.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def new_span_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str  # the span of this command or request
    parent_span_id: str = ""  # the caller's span, when a traceparent was given

    @classmethod
    def start(cls, traceparent: str | None = None) -> TraceContext:
        match = _TRACEPARENT.match((traceparent or "").strip().lower())
        if match and set(match.group(1)) != {"0"} and set(match.group(2)) != {"0"}:
            return cls(match.group(1), new_span_id(), match.group(2))
        return cls(secrets.token_hex(16), new_span_id())

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-01"
