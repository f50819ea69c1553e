"""The codebook: Table Schemas of the exported Data Package.

Every column is described here once; the CSV writers take their column order from
these schemas, so a column cannot appear in a CSV without being documented. A package's
`Shape` (weeks or days, banded or exact counts, as of an end date or today) decides
which columns it has.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.research.vocabulary import (
    AUDIENCE_BANDS, COUNT_BANDS, EVENT_TYPES, MISSING_VALUES, VOCABULARIES, categories,
)

PACKAGE_VERSION = "2.0.0"
WEEK_PATTERN = r"^\d{4}-W\d{2}$"
MONTH_PATTERN = r"^\d{4}-\d{2}$"
PSEUDONYM = ("Keyed pseudonym (HMAC-SHA256 of the record id with the package's pseudonym key, first 12 hex "
             "digits; see keyId in the provenance).")
RARE_PLATFORM = ("Community.platform (as of the end date); suppressed (.s) where fewer than the minimum group "
                 "size of the area's catalogued communities share it (small-cell protection).")


@dataclass(frozen=True)
class Shape:
    """Which variant of the package: dates as weeks, counts banded, attributes as of an end date."""

    weeks: bool = False
    banded: bool = False
    as_of: bool = False

    @property
    def unit(self) -> str:
        return "weeks" if self.weeks else "days"


def _f(name: str, type_: str, description: str, derived: str, **constraints: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": type_, "description": f"{description} Derived: {derived}"}
    if constraints:
        field["constraints"] = constraints
    return field


def _cat(name: str, vocabulary: str, description: str, derived: str, **constraints: Any) -> dict[str, Any]:
    """A categorical column: its allowed codes and a label for each."""
    field = _f(name, "string", description, derived, enum=list(VOCABULARIES[vocabulary]), **constraints)
    field["categories"] = categories(vocabulary)
    return field


def _when(prefix: str, what: str, source: str, shape: Shape) -> list[dict[str, Any]]:
    week = _f(f"{prefix}week", "string", f"ISO week of {what} (YYYY-Www).", f"ISO 8601 week of {source}.",
              pattern=WEEK_PATTERN)
    if shape.weeks:
        return [week]
    return [_f(f"{prefix}date", "date", f"Day of {what} (UTC).", f"date part of {source}."), week]


def _offset(name: str, description: str, derived: str, shape: Shape, **constraints: Any) -> dict[str, Any]:
    """A time offset: whole days, or whole ISO weeks when the package gives weeks only.

    In weeks it is the difference of the two ISO weeks shown, so it tells nothing the weeks do not.
    """
    unit = shape.unit
    how = ("difference of the ISO weeks (Monday to Monday) of the two times" if shape.weeks
           else "difference of the two times in whole days")
    return _f(name.format(unit=unit), "integer", description.format(unit=unit), f"{derived}; {how}.", **constraints)


def _count(name: str, description: str, derived: str, shape: Shape) -> dict[str, Any]:
    if shape.banded:
        field = _f(name, "string", f"{description} Banded: 0, 1-9, 10-99, 100-999, 1000 or more.",
                   derived, enum=list(COUNT_BANDS))
        field["categories"] = categories("count_band")
        return field
    return _f(name, "integer", description, derived, minimum=0)


def _community_ref() -> dict[str, Any]:
    return {"fields": ["community"], "reference": {"resource": "communities", "fields": ["community"]}}


def events_schema(shape: Shape) -> dict[str, Any]:
    fields = [
        _f("event_id", "string", "Pseudonymous id of this event.", PSEUDONYM, required=True, unique=True),
        _cat("event_type", "event_type", "What kind of observation the row is.",
             "contact = outreach contact (a message held for, sent back or refused by a supervisor has not gone "
             "out and is left out); stage_change; assessment; meeting = offline meeting.", required=True),
        *_when("", "the event", "occurred_at / changed_at / assessed_at / held_at", shape),
        _f("area", "string", "Slug of the neighbourhood area.", "the community's area (meetings: the meeting's "
           "area).", required=True),
        _f("community", "string", "Pseudonym of the community (.n for meetings).", PSEUDONYM),
        _f("officer", "string", "Pseudonym of the officer who logged, changed, rated or recorded it.", PSEUDONYM),
        _cat("platform", "platform", "Platform of the community.", RARE_PLATFORM),
        _cat("channel", "channel", "How the contact was made (contacts only).", "OutreachContact.channel."),
        _cat("direction", "direction", "Who made the contact.", "OutreachContact.direction."),
        _cat("purpose", "purpose", "Purpose of the contact (contacts only).", "OutreachContact.purpose."),
        _cat("outcome", "outcome", "Outcome of the contact as recorded at the end date.",
             "OutreachContact.outcome, undone by later contact revisions in an as-of export."),
        _count("reach_views", "Views reported for the contact.", "OutreachContact.reach_views.", shape),
        _count("reach_replies", "Replies reported.", "OutreachContact.reach_replies.", shape),
        _count("reach_reactions", "Reactions reported.", "OutreachContact.reach_reactions.", shape),
        _cat("has_message", "boolean", "Whether message text was recorded (the text is never exported).",
             "message_text is not empty."),
        _cat("has_link", "boolean", "Whether a link was recorded (the link is never exported).",
             "link is not empty."),
        _cat("from_stage", "stage", "Stage before the change (stage changes only).", "StageChange.from_stage."),
        _cat("to_stage", "stage", "Stage after the change (stage changes only).", "StageChange.to_stage."),
        _f("evidence_event", "string", "event_id of the contact that evidences a stage change.", PSEUDONYM),
        _f("trust", "integer", "Trust rating 1-5 (assessments only).", "Assessment.trust.", minimum=1, maximum=5),
        _f("reciprocity", "integer", "Reciprocity rating 1-5.", "Assessment.reciprocity.", minimum=1, maximum=5),
        _f("reach", "integer", "Reach rating 1-5.", "Assessment.reach.", minimum=1, maximum=5),
        _f("attendance", "integer", "People attending (meetings only).", "Meeting.attendance.", minimum=0),
        _f("promoting_communities", "integer", "Number of communities that promoted the meeting.",
           "count of meeting_promotions rows.", minimum=0),
        _offset("{unit}_since_first_contact", "{unit} from the community's first outbound contact to this event "
                "(negative: before it; .n: no contact by the end date).",
                "event time minus the earliest outbound contact up to the end date", shape),
    ]
    return {"fields": fields, "primaryKey": ["event_id"], "foreignKeys": [_community_ref()],
            "missingValues": MISSING_VALUES}


def communities_schema(shape: Shape) -> dict[str, Any]:
    days_to = [
        _offset(f"{{unit}}_to_{stage}", f"{{unit}} from first approach to first reaching {stage} or a later "
                "stage of the main path; .n when not reached by the end date (still waiting: right-censored).",
                f"first StageChange to {stage} or beyond, minus the first approach", shape, minimum=0)
        for stage in ("acknowledged", "two_way", "partner")
    ]
    fields = [
        _f("community", "string", "Pseudonym of the community.", PSEUDONYM, required=True, unique=True),
        _f("area", "string", "Slug of the neighbourhood area (as of the end date).", "Community.area.",
           required=True),
        _cat("platform", "platform", "Platform.", RARE_PLATFORM),
        _cat("access", "access", "How the community is reached.", "Community.access (as of the end date)."),
        _cat("police_welcome", "police_welcome", "Whether police are welcome, as recorded.",
             "Community.police_welcome (as of the end date)."),
        _cat("audience_band", "audience_band", "Audience size, banded so a community cannot be recognised by it.",
             "Community.audience_size banded; .s where fewer than the minimum group size of the area and platform "
             "share the band; .u when not recorded."),
        _cat("provenance", "provenance", "How the community entered the catalogue.", "Community.provenance."),
        _cat("status", "status", "Record status at the end date.", "Community.status (as of the end date)."),
        _cat("stage_at_end", "stage", "Relationship stage at the end date.",
             "latest StageChange up to the end date (else the identified stage)."),
        *_when("identified_", "when the community was catalogued", "Community.created_at", shape),
        *_when("first_contact_", "the first outbound contact", "earliest outbound contact up to the end date",
               shape),
        *days_to,
        _offset("followed_{unit}", "{unit} from first approach to the end date: the censoring time for "
                "communities still waiting (.n: never approached).", "end date minus first approach", shape,
                minimum=0),
        _f("contacts", "integer", "Contacts with the community within the period.", "count of OutreachContact.",
           minimum=0),
    ]
    if not shape.as_of:  # no history is kept of the locality score: it cannot be stated as of a date
        fields.append(_f("locality_score", "number", "How local the community is (0-1), today.",
                         "Community.locality_score, 2 d.p.", minimum=0, maximum=1))
    fields.append(_f("items_per_week", "number", "Feed activity: the latest measurement up to the end date.",
                     "Community.items_per_week (as-of export: the latest ActivitySample before the end), 1 d.p.",
                     minimum=0))
    return {"primaryKey": ["community"], "fields": fields, "missingValues": MISSING_VALUES}


def activity_schema(shape: Shape) -> dict[str, Any]:
    return {"primaryKey": ["sample_id"], "foreignKeys": [_community_ref()], "missingValues": MISSING_VALUES,
            "fields": [
        _f("sample_id", "string", "Pseudonymous id of the activity sample.", PSEUDONYM, required=True, unique=True),
        _f("community", "string", "Pseudonym of the community.", PSEUDONYM, required=True),
        _f("area", "string", "Slug of the neighbourhood area.", "Community.area.", required=True),
        _cat("platform", "platform", "Platform of the community.", RARE_PLATFORM),
        *_when("", "the activity sample", "ActivitySample.sampled_at", shape),
        _f("items_per_week", "number", "Feed items per week at the sample.", "ActivitySample.items_per_week.",
           minimum=0),
        _count("items_total", "Items in the feed at the sample (a public feed's exact count could name it).",
               "ActivitySample.items_total.", shape),
        _offset("{unit}_since_first_contact", "{unit} from the community's first outbound contact to the sample "
                "(negative: before outreach; .n: never contacted by the end date).",
                "sampled_at minus first contact", shape),
    ]}


def panel_schema(shape: Shape) -> dict[str, Any]:  # noqa: ARG001 - months are the same in every shape
    latest = "the latest Assessment up to the end of the month; .n when none yet"
    return {"primaryKey": ["community", "month"], "foreignKeys": [_community_ref()],
            "missingValues": MISSING_VALUES, "fields": [
        _f("community", "string", "Pseudonym of the community.", PSEUDONYM, required=True),
        _f("month", "string", "Calendar month (YYYY-MM, UTC).", "each month from the month the community was "
           "catalogued (or the start of the period) to the month of the end date.", required=True,
           pattern=MONTH_PATTERN),
        _f("area", "string", "Slug of the neighbourhood area.", "Community.area.", required=True),
        _cat("stage", "stage", "Relationship stage at the end of the month.",
             "latest StageChange up to the end of the month (or the end date, in its last month)."),
        _f("contacts", "integer", "Contacts that went out to or came from the community in the month.",
           "count of OutreachContact in the month.", minimum=0),
        _f("contacts_to_date", "integer", "Contacts up to the end of the month.", "running count.", minimum=0),
        _f("assessments", "integer", "Assessments made in the month.", "count of Assessment in the month.",
           minimum=0),
        _f("trust", "integer", "Trust rating as of the end of the month.", latest, minimum=1, maximum=5),
        _f("reciprocity", "integer", "Reciprocity rating as of the end of the month.", latest, minimum=1,
           maximum=5),
        _f("reach", "integer", "Reach rating as of the end of the month.", latest, minimum=1, maximum=5),
        _f("items_per_week", "number", "Feed activity as of the end of the month.",
           "latest ActivitySample up to the end of the month; .u when none yet", minimum=0),
    ]}


RESOURCES = (
    ("events", "One row per observed event: outreach contact, stage change, assessment or meeting.", events_schema),
    ("communities", "One row per community: attributes and its relationship trajectory.", communities_schema),
    ("activity", "One row per activity sample of a community's feed.", activity_schema),
    ("panel", "One row per community and calendar month: stage, contacts, assessments and activity as of "
              "the end of each month (for longitudinal analysis).", panel_schema),
)
__all__ = ["AUDIENCE_BANDS", "EVENT_TYPES", "PACKAGE_VERSION", "RESOURCES", "Shape"]
