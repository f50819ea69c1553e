"""What each notice says: a subject, a link and the least text needed.

No resident's personal data and no message text ever goes into a notice: only counts (the
digest) and a link to the page, where the reader signs in and the portal's own access and
audit rules apply.
"""
from __future__ import annotations

from portal.models import Notification

SUBJECTS = {
    "held_message": "A message is waiting for your decision",
    "decision": "A supervisor has decided on your message",
    "backup_request": "An officer has asked for backup",
    "export_ready": "Your research package is ready to download",
    "invite": "You are invited to Local Reach",
    "digest": "Your follow-ups for today",
}
LINES = {
    "held_message": "A message has been held for sign-off, and you are one of the people who may decide it.",
    "decision": "A supervisor has decided on a message you wrote. Open it to see the decision.",
    "backup_request": "An officer in your area has asked for backup.",
    "export_ready": "The research package you asked for has been built. It is kept for a limited time.",
    "invite": "An administrator has invited you to Local Reach. The link works once.",
}


def _digest_line(facts: dict) -> str:
    overdue, today = int(facts.get("overdue", 0)), int(facts.get("due_today", 0))
    parts = [f"{overdue} overdue" if overdue else "", f"{today} due today" if today else ""]
    return "You have " + " and ".join(p for p in parts if p) + " follow-up" + ("s" if overdue + today != 1 else "") + "."


def _digest_body(facts: dict, link: str, settings_link: str | None) -> str:
    lines = [_digest_line(facts), ""]
    for item in facts.get("items", []):
        lines.append(f"- {item['community']}, due {item['due_on']}: {item['link']}")
    if facts.get("more"):
        lines.append(f"- and {int(facts['more'])} more")
    lines += ["", f"All your follow-ups: {link}"]
    if settings_link:
        lines.append(f"Choose which notices you get: {settings_link}")
    return "\n".join(lines) + "\n"


def subject_of(notice: Notification) -> str:
    if notice.kind == "digest":
        facts = notice.facts or {}
        return f"Follow-ups: {int(facts.get('overdue', 0))} overdue, {int(facts.get('due_today', 0))} due today"
    return SUBJECTS[notice.kind]


def body_of(notice: Notification, link: str, settings_link: str | None) -> str:
    """The plain-text body: one line, the link, and where to change which notices arrive."""
    if notice.kind == "digest":
        return _digest_body(notice.facts or {}, link, settings_link)
    text = f"{LINES[notice.kind]}\n\nOpen it in Local Reach:\n{link}\n"
    if settings_link and notice.kind != "invite":
        text += f"\nChoose which notices you get: {settings_link}\n"
    return text
