"""The one place that bounds the ids, page numbers, counts and dates a request names.

Every view reads such values through these helpers (and ``<int:…>`` URL parts through
:class:`portal.security.DatabaseIdConverter`, which uses :data:`MAX_ID`), so a value no
database column can hold, a page past any real listing or a date at the end of the
calendar becomes "no such thing" (or the default) instead of a driver overflow: a 4xx
or an ordinary page, never a 500.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from wtforms.validators import StopValidation, ValidationError

__all__ = [
    "EARLIEST_DATE", "LATEST_DATE", "MAX_ID", "MAX_IDS", "MAX_PAGE", "DateInRange", "LengthFirst", "arg_bounded",
    "arg_date", "arg_ids", "arg_int", "arg_page", "ids_from", "record_id", "to_date", "to_int",
]

MAX_ID = 2**31 - 1  # what an INTEGER column holds (SQLite and PostgreSQL); no id or count is larger
MAX_PAGE = 100_000  # far past any listing a person pages through (lists also cap their count)
MAX_IDS = 1000  # ids one request may name at once (a bulk review of a whole queue page is 50)
# Dates a person could mean: a day either side of these still has a date (no overflow in +1 day).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
_MAX_DIGITS = 12  # parse nothing longer: int() of a huge digit string costs time, and it is out of range anyway


def to_int(raw: Any, low: int = 1, high: int = MAX_ID) -> int | None:
    """Return ``raw`` as an integer in [low, high], or None for anything else (text, floats, huge)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit() and len(digits) <= _MAX_DIGITS):
            return None
        value = int(text)
    return value if low <= value <= high else None


def record_id(raw: Any) -> int | None:
    """Return ``raw`` as a database id, or None when it cannot name a record."""
    return to_int(raw, 1, MAX_ID)


def arg_int(args: Any, name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """Read an integer argument in [low, high] (an id by default); anything else gives ``default``."""
    value = to_int(args.get(name), low, high)
    return default if value is None else value


def arg_bounded(args: Any, name: str, default: int, low: int, high: int) -> int:
    """Read an integer setting (days, weeks…): nonsense gives ``default``, out of range is clamped."""
    value = to_int(args.get(name), -(10**_MAX_DIGITS), 10**_MAX_DIGITS)
    return default if value is None else min(max(value, low), high)


def arg_page(args: Any, name: str = "page") -> int:
    """Read a page number: 1 for nonsense, at most :data:`MAX_PAGE`."""
    return arg_bounded(args, name, 1, 1, MAX_PAGE)


def arg_ids(source: Any, name: str) -> list[int]:
    """Read every id given under ``name`` (repeated field), dropping those that cannot name a record."""
    return ids_from(source.getlist(name))


def ids_from(values: Iterable[Any]) -> list[int]:
    """Keep the values that are ids, in order, without repeats, at most :data:`MAX_IDS`."""
    found: dict[int, None] = {}
    for value in values:
        number = record_id(value)
        if number is not None:
            found[number] = None
            if len(found) >= MAX_IDS:
                break
    return list(found)


def to_date(raw: Any) -> date | None:
    """Return ``raw`` (YYYY-MM-DD) as a date between the bounds, or None."""
    text = str(raw or "").strip()
    if len(text) != 10:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if EARLIEST_DATE <= value <= LATEST_DATE else None


def arg_date(args: Any, name: str) -> date | None:
    """Read a date argument (YYYY-MM-DD) between the bounds, or None."""
    return to_date(args.get(name))


class DateInRange:
    """WTForms validator: a date (or date-time) field's value lies between the bounds."""

    def __init__(self, message: str | None = None):
        self.message = message or (f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}")

    def __call__(self, form: Any, field: Any) -> None:  # noqa: ARG002
        value = field.data
        if value is None:
            return
        day = value.date() if hasattr(value, "date") else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(self.message)


class LengthFirst:
    """WTForms validator, listed first: a value longer than ``max`` stops the field's other checks.

    WTForms runs every validator even after one fails; an e-mail or password check on
    megabytes of text costs seconds, so the cheap length check ends the chain.
    """

    def __init__(self, max: int, message: str | None = None):  # noqa: A002  (WTForms' own name)
        self.max = max
        self.message = message or f"Enter at most {max} characters"

    def __call__(self, form: Any, field: Any) -> None:  # noqa: ARG002
        if isinstance(field.data, str) and len(field.data) > self.max:
            raise StopValidation(self.message)
