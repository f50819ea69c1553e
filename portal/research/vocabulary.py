"""Value labels and definitions for every category in the package, and its missing-value codes."""
from __future__ import annotations

from portal.models import (
    ACCESS_ROUTES, CHANNELS, OUTCOMES, PLATFORMS, PURPOSES, STAGES, label,
)

#: Three kinds of empty cell, never written as a blank (a blank would say none of them).
SUPPRESSED = ".s"
NOT_APPLICABLE = ".n"
UNKNOWN = ".u"
MISSING_VALUES = [
    {"value": SUPPRESSED, "label": "suppressed: withheld because it would single out a community"},
    {"value": NOT_APPLICABLE, "label": "not applicable: the column does not apply to this row"},
    {"value": UNKNOWN, "label": "unknown: not recorded, or not known as of the export's end date"},
]

AUDIENCE_BANDS = ("under 100", "100-999", "1000-9999", "10000 or more")
#: Bands for reported views, replies and reactions in a standard-level package.
COUNT_BANDS = ("0", "1-9", "10-99", "100-999", "1000 or more")
EVENT_TYPES = ("contact", "stage_change", "assessment", "meeting")

STAGE_DEFINITIONS = {
    "identified": "Catalogued; no outreach yet.",
    "approached": "Police have made a first approach (a contact went out).",
    "acknowledged": "The community acknowledged the approach (a reply, a reaction, an admin's answer).",
    "two_way": "Regular two-way exchange: the community also comes to the police.",
    "partner": "An established relationship: joint work, promoted meetings, standing invitations.",
    "declined": "The community (or its gatekeeper) declined contact with the police.",
    "hostile": "Contact met hostility; officers step back and a supervisor is involved.",
    "dormant": "The relationship or the community went quiet.",
}
OUTCOME_DEFINITIONS = {
    "pending": "No outcome recorded yet.",
    "no_response": "No response after the contact.",
    "acknowledged": "Seen and acknowledged, without engagement.",
    "positive": "A positive response.",
    "negative": "A negative response.",
    "hostile": "A hostile response.",
}
PURPOSE_DEFINITIONS = {
    "introduce": "Introduce the team or officer.", "inform": "Share information (e.g. a crime prevention notice).",
    "appeal": "Appeal for information or witnesses.", "reassure": "Reassure after an incident.",
    "consult": "Ask the community's views or priorities.", "invite": "Invite to a meeting or event.",
    "respond": "Reply to something the community raised.",
}
STATUS_DEFINITIONS = {"active": "In the working catalogue.", "archived": "Archived (kept, hidden from lists).",
                      "merged": "A duplicate folded into another community record."}
PROVENANCE_DEFINITIONS = {"officer": "Catalogued by hand by an officer.",
                          "crawl": "Found by the discovery crawler and accepted by an officer."}

#: Which vocabulary each categorical column draws on, with the words for each value.
VOCABULARIES: dict[str, dict[str, str]] = {
    "platform": {v: label(v) for v in PLATFORMS},
    "access": {v: label(v) for v in ACCESS_ROUTES},
    "police_welcome": {"unknown": "Not recorded whether police are welcome", "yes": "Police welcome",
                       "no": "Police not welcome"},
    "channel": {v: label(v) for v in CHANNELS},
    "direction": {"outbound": "From the police to the community", "inbound": "From the community to the police"},
    "purpose": {v: f"{label(v)}: {PURPOSE_DEFINITIONS[v]}" for v in PURPOSES},
    "outcome": {v: f"{label(v)}: {OUTCOME_DEFINITIONS[v]}" for v in OUTCOMES},
    "stage": {v: f"{label(v)}: {STAGE_DEFINITIONS[v]}" for v in STAGES},
    "event_type": {"contact": "Outreach contact that went out", "stage_change": "Relationship stage change",
                   "assessment": "Periodic rating of the relationship", "meeting": "Offline meeting"},
    "audience_band": {v: f"Audience {v}" for v in AUDIENCE_BANDS},
    "count_band": {v: f"{v} reported" for v in COUNT_BANDS},
    "status": {k: f"{label(k)}: {d}" for k, d in STATUS_DEFINITIONS.items()},
    "provenance": {k: f"{label(k)}: {d}" for k, d in PROVENANCE_DEFINITIONS.items()},
    "boolean": {"true": "Yes", "false": "No"},
}


def categories(vocabulary: str) -> list[dict[str, str]]:
    """Value labels of one vocabulary, as Table Schema `categories` entries."""
    return [{"value": value, "label": words} for value, words in VOCABULARIES[vocabulary].items()]


def band(value: int | None, bands: tuple[str, ...] = COUNT_BANDS) -> str:
    """The band of a count: 0, 1-9, 10-99, 100-999, 1000 or more (UNKNOWN when not recorded)."""
    if value is None:
        return UNKNOWN
    if value <= 0:
        return bands[0]
    return bands[min(len(bands) - 1, len(str(int(value))))]


def audience_band(size: int | None) -> str:
    """Audience size in four bands ('' when not recorded)."""
    if size is None:
        return ""
    return AUDIENCE_BANDS[0 if size < 100 else 1 if size < 1000 else 2 if size < 10000 else 3]
