"""The codebook: Table Schemas of the exported Data Package, and its README.

Every column is described here once; the CSV writers take their column order from
these schemas, so a column cannot appear in a CSV without being documented.
"""
from __future__ import annotations

from typing import Any

from portal.models import (
    ACCESS_ROUTES, CHANNELS, DIRECTIONS, OUTCOMES, PLATFORMS, POLICE_WELCOME, PURPOSES, STAGES,
)

PACKAGE_VERSION = "1.0.0"
EVENT_TYPES = ("contact", "stage_change", "assessment", "meeting")
AUDIENCE_BANDS = ("under 100", "100-999", "1000-9999", "10000 or more")
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
PSEUDONYM = "Keyed pseudonym (HMAC-SHA256 of the record id with the server's pseudonym key, first 12 hex digits)."


def _f(name: str, type_: str, description: str, derived: str, **constraints: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "description": f"{description} Derived: {derived}"}
    if constraints:
        field["constraints"] = constraints
    return field


def _when(prefix: str, what: str, source: str, coarsen: bool) -> list[dict[str, Any]]:
    week = _f(f"{prefix}week" if prefix else "week", "string", f"ISO week of {what} (YYYY-Www).",
              f"ISO 8601 week of {source}.", pattern=WEEK_PATTERN)
    if coarsen:
        return [week]
    day = _f(f"{prefix}date" if prefix else "date", "date", f"Day of {what} (UTC).", f"date part of {source}.")
    return [day, week]


#: How the platform column is derived in every table (see "Suppression" in the README).
RARE_PLATFORM = ("Community.platform; empty where fewer than 5 exported communities of the area share it "
                 "(small-cell protection).")

def events_schema(coarsen: bool) -> dict[str, Any]:
    fields = [
        _f("event_id", "string", "Pseudonymous id of this event.", PSEUDONYM, required=True, unique=True),
        _f("event_type", "string", "What kind of observation the row is.",
           "contact = outreach contact (a message held for, sent back or refused by a supervisor has not "
           "gone out and is left out); stage_change = relationship stage change; assessment = rating; "
           "meeting = offline meeting.", required=True, enum=list(EVENT_TYPES)),
        *_when("", "the event", "occurred_at / changed_at / assessed_at / held_at", coarsen),
        _f("area", "string", "Slug of the neighbourhood area.", "the community's area (meetings: the meeting's area).",
           required=True),
        _f("community", "string", "Pseudonym of the community (empty for meetings).", PSEUDONYM),
        _f("officer", "string", "Pseudonym of the officer who logged, changed, rated or recorded it.", PSEUDONYM),
        _f("platform", "string", "Platform of the community.",
           RARE_PLATFORM, enum=list(PLATFORMS)),
        _f("channel", "string", "How the contact was made (contacts only).", "OutreachContact.channel.",
           enum=list(CHANNELS)),
        _f("direction", "string", "Outbound (by police) or inbound (from the community).",
           "OutreachContact.direction.", enum=list(DIRECTIONS)),
        _f("purpose", "string", "Purpose of the contact (contacts only).", "OutreachContact.purpose.",
           enum=list(PURPOSES)),
        _f("outcome", "string", "Outcome of the contact as last recorded.", "OutreachContact.outcome.",
           enum=list(OUTCOMES)),
        _f("reach_views", "integer", "Views reported for the contact.", "OutreachContact.reach_views.", minimum=0),
        _f("reach_replies", "integer", "Replies reported.", "OutreachContact.reach_replies.", minimum=0),
        _f("reach_reactions", "integer", "Reactions reported.", "OutreachContact.reach_reactions.", minimum=0),
        _f("has_message", "boolean", "Whether message text was recorded (the text itself is never exported).",
           "message_text is not empty."),
        _f("has_link", "boolean", "Whether a link was recorded (the link itself is never exported).",
           "link is not empty."),
        _f("from_stage", "string", "Stage before the change (stage changes only).", "StageChange.from_stage.",
           enum=list(STAGES)),
        _f("to_stage", "string", "Stage after the change (stage changes only).", "StageChange.to_stage.",
           enum=list(STAGES)),
        _f("evidence_event", "string", "event_id of the contact that evidences a stage change.", PSEUDONYM),
        _f("trust", "integer", "Trust rating 1-5 (assessments only).", "Assessment.trust.", minimum=1, maximum=5),
        _f("reciprocity", "integer", "Reciprocity rating 1-5.", "Assessment.reciprocity.", minimum=1, maximum=5),
        _f("reach", "integer", "Reach rating 1-5.", "Assessment.reach.", minimum=1, maximum=5),
        _f("attendance", "integer", "People attending (meetings only).", "Meeting.attendance.", minimum=0),
        _f("promoting_communities", "integer", "Number of communities that promoted the meeting.",
           "count of meeting_promotions rows.", minimum=0),
        _f("days_since_first_contact", "integer",
           "Days from the community's first outbound contact to this event (negative: before it).",
           "event time minus the earliest outbound OutreachContact.occurred_at of the community, whole days."),
    ]
    return {"fields": fields, "primaryKey": ["event_id"]}


def communities_schema(coarsen: bool) -> dict[str, Any]:
    days_to = [
        _f(f"days_to_{stage}", "integer", f"Days from first approach to first reaching {stage} or a later stage "
           "of the main path; empty when not reached by the end of the period (still waiting: right-censored).",
           f"first StageChange to {stage} or beyond, minus the first approach.", minimum=0)
        for stage in ("acknowledged", "two_way", "partner")
    ]
    return {"primaryKey": ["community"], "fields": [
        _f("community", "string", "Pseudonym of the community.", PSEUDONYM, required=True, unique=True),
        _f("area", "string", "Slug of the neighbourhood area.", "Community.area.", required=True),
        _f("platform", "string", "Platform.",
           RARE_PLATFORM, enum=list(PLATFORMS)),
        _f("access", "string", "How the community is reached.", "Community.access.", enum=list(ACCESS_ROUTES)),
        _f("police_welcome", "string", "Whether police are welcome, as recorded.", "Community.police_welcome.",
           enum=list(POLICE_WELCOME)),
        _f("audience_band", "string", "Audience size, banded so a community cannot be recognised by it.",
           "Community.audience_size banded; empty where fewer than 5 communities of the area and platform "
           "share the band, or the platform is blanked (small-cell protection).", enum=list(AUDIENCE_BANDS)),
        _f("provenance", "string", "How the community was added.", "Community.provenance.",
           enum=["officer", "crawl"]),
        _f("status", "string", "Record status.", "Community.status.", enum=["active", "archived", "merged"]),
        _f("stage_at_end", "string", "Relationship stage at the end of the period.",
           "latest StageChange up to the end of the period (else the identified stage).", enum=list(STAGES)),
        *_when("identified_", "when the community was recorded", "Community.created_at", coarsen),
        *_when("first_contact_", "the first outbound contact", "earliest outbound OutreachContact.occurred_at",
               coarsen),
        *days_to,
        _f("followed_days", "integer", "Days from first approach to the end of the period: the censoring time for "
           "communities still waiting.", "end of period (or export time) minus first approach.", minimum=0),
        _f("contacts", "integer", "Contacts with the community within the period.", "count of OutreachContact.",
           minimum=0),
        _f("locality_score", "number", "How local the community is (0-1).", "Community.locality_score, 2 d.p.",
           minimum=0, maximum=1),
        _f("items_per_week", "number", "Latest measured feed activity.", "Community.items_per_week, 1 d.p.",
           minimum=0),
    ]}


def activity_schema(coarsen: bool) -> dict[str, Any]:
    return {"fields": [
        _f("community", "string", "Pseudonym of the community.", PSEUDONYM, required=True),
        _f("area", "string", "Slug of the neighbourhood area.", "Community.area.", required=True),
        _f("platform", "string", "Platform of the community.",
           RARE_PLATFORM, enum=list(PLATFORMS)),
        *_when("", "the activity sample", "ActivitySample.sampled_at", coarsen),
        _f("items_per_week", "number", "Feed items per week at the sample.", "ActivitySample.items_per_week.",
           minimum=0),
        _f("items_total", "integer", "Items in the feed at the sample.", "ActivitySample.items_total.", minimum=0),
        _f("days_since_first_contact", "integer", "Days from the community's first outbound contact to the sample "
           "(negative: before outreach; empty: never contacted).", "sampled_at minus first contact, whole days."),
    ]}


RESOURCES = (
    ("events", "One row per observed event: outreach contact, stage change, assessment or meeting.", events_schema),
    ("communities", "One row per community: attributes and its relationship trajectory.", communities_schema),
    ("activity", "One row per activity sample of a community's feed.", activity_schema),
)


def descriptor(options_summary: dict[str, Any], coarsen: bool, created: str) -> dict[str, Any]:
    """The datapackage.json of an export."""
    return {
        "name": "local-reach-export", "title": "Local Reach: pseudonymised outreach and relationship data",
        "version": PACKAGE_VERSION, "created": created, "licenses": [{"name": "other-closed",
                                                                     "title": "Restricted research use"}],
        "description": "Exported by Local Reach. Filters: " + (", ".join(f"{k}={v}" for k, v in
                                                                       options_summary.items()) or "none"),
        "resources": [{
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": text, "schema": schema(coarsen),
        } for name, text, schema in RESOURCES],
    }


def readme(options_summary: dict[str, Any], coarsen: bool, created: str, counts: dict[str, int]) -> str:
    """README.md of an export: provenance, filters, version and the disclosure-control rules."""
    filters = "\n".join(f"- {k}: {v}" for k, v in options_summary.items()) or "- none (every area you may see)"
    rows = "\n".join(f"- {name}.csv: {n} rows" for name, n in counts.items())
    return f"""# Local Reach research export

Package version {PACKAGE_VERSION}, created {created} (UTC) by the Local Reach portal.
The codebook is `datapackage.json`: every column of every CSV has a type, its allowed
values or range, a description and how it was derived. Validate it with
`frictionless validate datapackage.json`.

## Provenance
Officers log outreach contacts, relationship stage changes, assessments and meetings in
Local Reach; activity samples come from polling each community's public feed. This export
reads those records directly from the portal's database at the time above.

## Filters
{filters}
- dates coarsened to ISO weeks: {"yes" if coarsen else "no"}

## Tables
{rows}

## Pseudonymisation
- Officers (`O-…`), communities (`C-…`) and events (`E-…`) appear as keyed pseudonyms:
  HMAC-SHA256 of the record id with a secret key held on the server. The same key gives the
  same pseudonyms in every export, so exports can be joined; without the key a pseudonym
  cannot be turned back into a record.
- Never exported: names, e-mail addresses, web addresses, message text, links, free-text
  notes, descriptions, house rules, tags, meeting titles and places.
- Audience sizes are banded; dates are days (UTC) or, when coarsened, ISO weeks only.

## Suppression
Rows are observations, not counts, so small cells are protected where a rare combination
of a community's attributes could single it out: within an area, a platform shared by
fewer than 5 exported communities is left empty (in every table, so the tables cannot be
joined to recover it), and so is an audience band shared by fewer than 5 communities of
that area and platform. Treat the package as sensitive pseudonymised research data under
your data sharing agreement and do not publish row-level extracts. When you publish aggregates, apply
the rule the portal's researcher views apply: counts of 1–4 shown as "<5", with a second
cell hidden in any row where only one would be (so totals cannot back it out), rates only
when neither part is a small count, and means only over at least 5 observations.

Each export is recorded in the portal's audit log with who, when, filters and row counts.
"""
