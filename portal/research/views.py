"""Research pages (charts with their tables); the export package is in export_views."""
from __future__ import annotations

from flask import Response, abort, request
from flask_login import current_user

from portal import audit, htmx
from portal.errors import render_error
from portal.access import allow
from portal.extensions import db
from portal.models import CHANNELS, PLATFORMS, PURPOSES, label
from portal.research import bp
from portal.research.disclosure import explanation, min_cell
from portal.research.cache import CachedReport, cached_report, kept_seconds
from portal.research.filters import (
    GROUPINGS, Selection, area_choices, offered_years, officer_choices, one_calendar_year, parse_selection,
    period_words, research_today,
)
from portal.research.pages import PAGES, RESEARCH_ROLES, build_report
from portal.research.pseudonyms import Pseudonymiser
from portal.research.tables import table_csv, table_filename

#: Rows of a data table shown under its chart; the rest on asking ("?rows=all") or in its CSV.
#: A chart by area and month at force scale has hundreds of rows (667 at 100,000 communities:
#: 340 kB of table); a year of weeks (53) is shown whole.
TABLE_ROWS = 100


def _suppress() -> bool:
    """Researchers see suppressed small counts; supervisors and admins work with the records anyway."""
    return current_user.role == "researcher"


def _chart_page(slug: str) -> Response:
    pseudonymise = Pseudonymiser.for_app()
    selection = _selection(pseudonymise)
    kept = _report(slug, selection)
    return htmx.render("research/chart.html", block="chart", page=PAGES[slug], pages=PAGES, selection=selection,
                       report=kept.report, computed_at=kept.computed_at,
                       kept_seconds=kept_seconds(),
                       table_rows=None if request.args.get("rows") == "all" else TABLE_ROWS,
                       suppress=_suppress(), disclosure_note=explanation(),
                       period=period_words(selection) if _suppress() else "",
                       **_filter_options(pseudonymise))


def _selection(pseudonymise: Pseudonymiser) -> Selection:
    """The filters asked for; a researcher's dates as one whole calendar year, the current one to the last
    month-end (`filters.one_calendar_year`); other roles' figures are live (they see the records anyway)."""
    selection = parse_selection(request.args, current_user, pseudonymise)
    return one_calendar_year(selection, research_today()) if _suppress() else selection


def _report(slug: str, selection) -> CachedReport:
    """The page's report, shared for a few minutes by everyone asking for the same figures."""
    suppress = _suppress()
    return cached_report(slug, selection, suppress, lambda: build_report(slug, selection, suppress))


def _filter_options(pseudonymise: Pseudonymiser) -> dict[str, list[tuple[str, str]]]:
    """(value, words) choices for each select of the filter bar.

    Researchers are not offered officers: the pages refuse them an officer filter
    (`disclosure.contact_filter_reason`).
    """
    officers = [] if _suppress() else officer_choices(current_user, pseudonymise)
    return {
        "area_options": [(a.slug, a.name) for a in area_choices(current_user)],
        "platform_options": [(v, label(v)) for v in PLATFORMS],
        "channel_options": [(v, label(v)) for v in CHANNELS],
        "purpose_options": [(v, label(v)) for v in PURPOSES],
        "officer_options": [(p, p) for p, _ in officers],
        "by_options": [(v, label(v)) for v in GROUPINGS],
        "year_options": [(str(y), str(y)) for y in offered_years(research_today())],
    }


@bp.get("/research")
@allow(*RESEARCH_ROLES)
def index():
    return htmx.render("research/index.html", pages=PAGES, suppress=_suppress(), min_cell=min_cell(),
                       areas=area_choices(current_user))


@bp.get("/research/funnel")
@allow(*RESEARCH_ROLES)
def funnel():
    return _chart_page("funnel")


@bp.get("/research/trajectories")
@allow(*RESEARCH_ROLES)
def trajectories():
    return _chart_page("trajectories")


@bp.get("/research/responses")
@allow(*RESEARCH_ROLES)
def responses():
    return _chart_page("responses")


@bp.get("/research/contacts")
@allow(*RESEARCH_ROLES)
def contacts():
    return _chart_page("contacts")


@bp.get("/research/activity")
@allow(*RESEARCH_ROLES)
def activity():
    return _chart_page("activity")


@bp.get("/research/offline")
@allow(*RESEARCH_ROLES)
def offline():
    return _chart_page("offline")


@bp.get("/research/assessments")
@allow(*RESEARCH_ROLES)
def assessments():
    return _chart_page("assessments")


@bp.get("/research/<slug>/tables/<int:number>.csv")
@allow(*RESEARCH_ROLES)
def table_download(slug: str, number: int):
    """One table of a chart page as CSV: the same filters and the same suppression as on the page, audited."""
    if slug not in PAGES:
        abort(404)
    selection = _selection(Pseudonymiser.for_app())
    report = _report(slug, selection).report  # the very figures the page showed, while they are kept
    if report.refused:  # the page says why; so does the download, instead of a file
        return render_error(403, report.refused)
    if not 1 <= number <= len(report.tables):
        abort(404, description="There is no such table for these filters: go back to the chart and download it from there.")
    table = report.tables[number - 1]
    filters = selection.query_args(**({"by": selection.by} if slug == "responses" else {}))
    audit.record("export", f"Research table downloaded: {table.caption}", object_type="research_table",
                 object_id=f"{slug}/{number}", details={"page": slug, "table": table.caption, "filters": filters,
                                                        "rows": len(table.rows), "suppressed": _suppress()})
    db.session.commit()
    response = Response(table_csv(table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{table_filename(slug, number, filters)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
