"""Households in the web app (``/huishoudens/``): the analyst starts ``meedoen build`` for an
approved activity, follows its progress and reads the result summary; and the analyst's SQL page
(``/sql/``): ``meedoen sql`` on one activity's pseudonymised tables.

Views gate by role; the services check the role, the activity and the arguments again and log
every read and write of person-level data (PermissionDenied about the activity and
ValidationError become form errors)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from meedoen.accounts.roles import Role
from meedoen.activities.enforcement import (
    ActivityRevokedDuringRead,
    QueryStopped,
    activity_sql,
    sql_limits,
)
from meedoen.activities.models import Status
from meedoen.activities.selectors import ActivityState, activity_current, activity_list
from meedoen.audits.trace import TraceContext
from meedoen.households.forms import BuildForm, SqlForm
from meedoen.households.selectors import RunState, build_run_detail, build_run_list
from meedoen.households.services import (
    REQUIRED_SOURCES,
    build_request,
    build_start_background,
)
from meedoen.web.access import actor_for, role_required
from meedoen.web.runs import run_progress, run_status_label, run_status_response, run_step_label

#: Who may build households and query an activity's tables (as ``meedoen build`` / ``sql``).
ANALYSTS = (Role.ANALYST,)

#: Rows the SQL page shows at most; the query itself says whether there were more.
SQL_MAX_ROWS = 200

#: Builds listed on the build page, newest first.
RUNS_LISTED = 20


def _approved_activities(*, covering: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """Approved, unexpired activities that cover ``covering``, as choices (id, label)."""
    states: list[ActivityState] = sorted(
        (
            state
            for state in activity_list()
            if state.status == Status.APPROVED
            and not state.operational
            and set(covering) <= set(state.sources)
        ),
        key=lambda state: state.id,
    )
    return [(state.id, f"{state.id}. {state.name}") for state in states]


def _service_context(request: HttpRequest) -> dict[str, Any]:
    """Who acts, the caller's W3C trace (if given) and the client: as the services log them."""
    return {
        "actor": actor_for(request.user),
        "trace": TraceContext.start(request.headers.get("traceparent")),
    }


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _run_or_404(run_id: int) -> RunState:
    try:
        return build_run_detail(run_id=run_id)
    except ObjectDoesNotExist as exc:
        raise Http404(f"there is no household build {run_id}") from exc


def _build_in_progress(activity_id: int) -> RunState | None:
    """An unfinished build of the activity: it holds the activity's store open for writing, so
    a query has to wait until it has finished."""
    return next(
        (run for run in build_run_list() if run.activity_id == activity_id and not run.finished),
        None,
    )


def _progress(run: RunState) -> dict[str, Any]:
    """What the progress region shows; the same for the page and its JSON endpoint."""
    return run_progress(
        run,
        step_label=run_step_label("build_step"),
        first_step=_("Checking the processing activity"),
    )


# -- Household builds ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*ANALYSTS)
def builds(request: HttpRequest) -> HttpResponse:
    """The form that starts a build (POST), and the builds so far."""
    activities = _approved_activities(covering=REQUIRED_SOURCES)
    # 1 January of this year, as CBS counts: any other day needs the day of death, which an
    # activity's store holds only when approved at finer detail (meedoen_data.categories).
    new_year = timezone.localdate().replace(month=1, day=1)
    form = BuildForm(
        request.POST if request.method == "POST" else None,
        activities=activities,
        initial={"peildatum": new_year, "engine": "duckdb"},
    )
    if form.is_bound and form.is_valid():
        context = _service_context(request)
        try:
            run = build_request(**form.build_arguments(), channel="web", **context)
        except PermissionDenied as exc:  # the activity is not approved for a build
            form.add_error("activity", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            build_start_background(run_id=run.pk, client=_client(request), **context)
            return redirect("households:run", run_id=run.pk)
    runs = build_run_list(limit=RUNS_LISTED)
    return render(
        request,
        "households/builds.html",
        {
            "form": form,
            "activities": activities,
            "runs": [(run, run_status_label(run.status)) for run in runs],
            "role": request.user.role,  # type: ignore[union-attr]
        },
    )


@require_GET
@role_required(*ANALYSTS)
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One build: its progress while it runs, then its summary (or why it failed)."""
    state = _run_or_404(run_id)
    try:
        activity: ActivityState | None = activity_current(activity_id=state.activity_id)
    except ObjectDoesNotExist:
        activity = None
    summary: dict[str, Any] = state.summary or {}
    by_type = sorted(
        dict(summary.get("by_type") or {}).items(), key=lambda item: (-item[1], item[0])
    )
    # An example for the analyst to run on the SQL page (read-only there); peildatum is a date.
    example = (
        "SELECT household_type, count(*) AS households FROM household.household "  # noqa: S608
        f"WHERE peildatum = '{state.peildatum}' GROUP BY ALL ORDER BY 2 DESC"
    )
    return render(
        request,
        "households/run.html",
        {
            "run": state,
            "activity": activity,
            "progress": _progress(state),
            "summary": summary,
            "by_type": by_type,
            "stacking": list(summary.get("stacking") or []),
            "not_covered": list(summary.get("not_covered") or []),
            "example": example,
        },
    )


@require_GET
@role_required(*ANALYSTS)
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The progress of one build as JSON: the run page polls it while the build runs."""
    return run_status_response(_progress(_run_or_404(run_id)))


# -- The analyst's SQL page ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*ANALYSTS)
def sql(request: HttpRequest) -> HttpResponse:
    """One read-only query on an approved activity's tables (POST); the result is shown at once,
    so the query stays in the form. Every query, refused ones too, is logged by the service."""
    activities = _approved_activities()
    initial: dict[str, Any] = {}
    if request.method == "GET":
        if request.GET.get("activity", "").isdigit():
            initial["activity"] = int(request.GET["activity"])
        if request.GET.get("sql"):
            initial["sql"] = request.GET["sql"][:20_000]
    form = SqlForm(
        request.POST if request.method == "POST" else None,
        activities=activities,
        initial=initial,
    )
    result = None
    if form.is_bound and form.is_valid():
        busy = _build_in_progress(form.cleaned_data["activity"])
        if busy is not None:
            form.add_error(
                "activity",
                _(
                    "Households are being built for this processing activity right now (build "
                    "%(id)s); query its tables when the build has finished."
                )
                % {"id": busy.id},
            )
    limits = sql_limits()
    max_rows = min(SQL_MAX_ROWS, limits.max_rows)
    if form.is_bound and form.is_valid():
        try:
            result = activity_sql(
                activity_id=form.cleaned_data["activity"],
                sql=form.cleaned_data["sql"],
                channel="web",
                client=_client(request),
                max_rows=max_rows,
                **_service_context(request),
            )
        except ActivityRevokedDuringRead:
            form.add_error(
                "activity",
                _(
                    "This processing activity was revoked while the query ran. Its data has "
                    "been deleted, so the result is not shown."
                ),
            )
        except PermissionDenied as exc:  # the activity is not approved (any more)
            form.add_error("activity", str(exc))
        except QueryStopped as exc:  # a limit, a refused table function, …
            form.add_error("sql", _sql_refusal(exc))
        except ValidationError as exc:  # not one read-only SELECT, or not valid SQL
            form.add_error("sql", exc)
    return render(
        request,
        "households/sql.html",
        {
            "form": form,
            "activities": activities,
            "result": result,
            "max_rows": max_rows,
            "max_cells": limits.max_cells,
            "max_bytes": limits.max_bytes,
            "seconds": f"{limits.seconds:g}",
            "role": request.user.role,  # type: ignore[union-attr]
        },
    )


#: What the SQL page says for each code of meedoen_data.sql_errors (``%(name)s``: the word,
#: table, column or statement the problem is about).
SQL_MESSAGES = {
    "syntax": gettext_lazy(
        "The query is not valid SQL: the error is at or just before “%(name)s”."
    ),
    "statements": gettext_lazy("Give exactly one SQL statement; this is %(name)s."),
    "not_select": gettext_lazy(
        "Only a SELECT is allowed here, not %(name)s: the tables of the processing activity "
        "can only be read."
    ),
    "unknown_table": gettext_lazy(
        "The table %(name)s does not exist in this processing activity. The tables are in the "
        "schemas source, household and link, for example source.ingeschrevenpersoon; "
        "SELECT * FROM duckdb_tables() lists them."
    ),
    "unknown_column": gettext_lazy(
        "The column %(name)s does not exist in the tables of the query; "
        "SELECT * FROM duckdb_columns() lists the columns of every table."
    ),
    "query_error": gettext_lazy(
        "The query could not be run. Check the names and types in it. The database says (in "
        "English): %(name)s"
    ),
}


def _sql_refusal(exc: QueryStopped) -> str:
    """Why a query did not run or was stopped, in the user's language (the service's message,
    in English, where there is no translation: DuckDB's own errors)."""
    if exc.reason == "timeout":
        return _(
            "The query took longer than %(seconds)s seconds and was stopped. Aggregate (GROUP "
            "BY) or narrow the query (WHERE, LIMIT)."
        ) % {"seconds": f"{exc.limit:g}" if isinstance(exc.limit, float | int) else exc.limit}
    if exc.reason == "memory":
        return _(
            "The query needs more memory than the %(memory)s a query may use, and was stopped. "
            "Aggregate (GROUP BY) or narrow the query (WHERE, fewer columns)."
        ) % {"memory": exc.limit}
    if exc.reason == "busy":
        return _(
            "The tables of this processing activity are being deleted right now; try again in "
            "a moment."
        )
    if exc.reason == "function":
        return _(
            "The table function %(functions)s is not allowed here: name the tables the query "
            "reads (FROM source.…), so that every person it reads is logged. Allowed are "
            "range(), generate_series(), unnest() and the catalogue functions duckdb_…()."
        ) % {"functions": exc.limit}
    if exc.reason in SQL_MESSAGES and isinstance(exc.limit, dict):
        problem = exc.limit
        name = problem.get("name") or (
            "; ".join(exc.messages) if exc.reason == "query_error" else ""
        )
        text = str(SQL_MESSAGES[exc.reason]) % {"name": name}
        if problem.get("line"):
            text += " " + _("(Line %(line)s, position %(column)s.)") % {
                "line": problem["line"],
                "column": problem.get("column") or 1,
            }
        return text
    return "; ".join(exc.messages)
