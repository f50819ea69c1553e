"""The research pages: one entry per chart page (URL slug, title, summary, how its report is built)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from portal.extensions import db
from portal.models import Area, Community, User
from portal.research.activity import activity_report, assessment_report
from portal.research.disclosure import contact_filter_reason, platform_area_reason, single_out_reason
from portal.research.engagement import contacts_per_week, contacts_refusal, online_offline
from portal.research.filters import OFFICER_ROLES, Selection, community_conditions, one_calendar_year, research_today
from portal.research.report import Report
from portal.research.responses import refusal as responses_refusal, response_report
from portal.research.stages import stage_funnel
from portal.research.time_to_stage import trajectory_report

RESEARCH_ROLES = ("researcher", "supervisor", "admin")


@dataclass(frozen=True)
class ResearchPage:
    slug: str
    title: str
    summary: str
    build: Callable[[Selection, bool], Report]
    counts_contacts: bool = False  # its counts are of contacts, protected with every contact filter's values
    #: Why a researcher cannot see this selection on this page (None when they can), beyond the common refusals.
    refusal: Callable[[Selection, bool], str | None] | None = None


PAGES = {page.slug: page for page in (
    ResearchPage("funnel", "Stage funnel over time",
                 "How many communities are at each relationship stage, month by month.", stage_funnel,
                 refusal=platform_area_reason),
    ResearchPage("trajectories", "Relationship trajectories",
                 "Time from first approach to acknowledged, two-way and partner, with communities still "
                 "waiting counted.", trajectory_report, refusal=platform_area_reason),
    ResearchPage("responses", "Responses by platform, channel and purpose",
                 "Response rate and outcome mix: which platforms and messages get answers.", response_report,
                 counts_contacts=True, refusal=responses_refusal),
    ResearchPage("contacts", "Contacts per week",
                 "Outbound contacts each week in each area.", contacts_per_week, counts_contacts=True,
                 refusal=contacts_refusal),
    ResearchPage("activity", "Community activity around first contact",
                 "Feed items per week before and after each community's first outreach.", activity_report,
                 refusal=platform_area_reason),
    ResearchPage("offline", "Online and offline",
                 "Neighbourhood meeting attendance beside online contacts in the same areas and months.",
                 online_offline, refusal=platform_area_reason),
    ResearchPage("assessments", "Assessment trends",
                 "Mean trust, reciprocity and reach ratings over time.", assessment_report,
                 refusal=platform_area_reason),
)}


def build_report(slug: str, selection: Selection, suppress: bool) -> Report:
    """Build a page's report; a selection that cannot match anything gives the empty state, and one
    that would single out communities or officers (for researchers) a message instead of figures.

    Researchers' dates are one calendar year (`one_calendar_year`; the views set it, and dates that
    reach here otherwise are widened again). With no dates, the page's own default span stays, for
    callers that are not a researcher's request (the views always give a researcher's dates)."""
    if suppress and (selection.since or selection.until):
        selection = one_calendar_year(selection, research_today())
    if selection.impossible:
        return Report(empty=True)
    reason = contact_filter_reason(selection.contact_filters, PAGES[slug].counts_contacts,
                                   area=selection.area_id is not None, active=suppress)
    refusal = PAGES[slug].refusal
    if not reason and refusal is not None:
        reason = refusal(selection, suppress)
    if reason:
        return Report(refused=reason)
    communities, officers = population(selection)
    reason = single_out_reason(communities, officers, selection.officer_id is not None, active=suppress)
    if reason:
        return Report(refused=reason)
    return PAGES[slug].build(selection, suppress)


def population(selection: Selection) -> tuple[int, int | None]:
    """How many communities the filters match, and (with an area or officer filter) how many officers are in scope.

    Officers in scope are those working in the chosen area, or in every area the user may see.
    """
    communities = db.session.scalar(select(func.count(Community.id)).where(*community_conditions(selection))) or 0
    if selection.officer_id is None and selection.area_id is None:
        return communities, None
    areas = {selection.area_id} if selection.area_id is not None else selection.scope_area_ids
    query = select(func.count(distinct(User.id))).where(User.role.in_(OFFICER_ROLES))
    if areas is not None:
        query = query.where(User.areas.any(Area.id.in_(areas)))
    return communities, db.session.scalar(query) or 0
