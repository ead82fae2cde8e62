"""The calendar of a weekly issue: which week it covers and how its date is written.

An issue's ``week`` is the last day it covers, the day it goes out
(``compose.weekday``); it covers the seven days ending that day, in UTC.
"""

from __future__ import annotations

import calendar
import string
from datetime import UTC, date, datetime, time, timedelta

from mustreads.errors import ConfigError, UserError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_ending(today: date, weekday: str) -> date:
    """The next ``weekday`` on or after ``today``: the last day of the issue's week."""
    try:
        target = WEEKDAYS.index(weekday.lower())
    except ValueError:
        raise ConfigError(
            f"compose.weekday: unknown day {weekday!r} (choose from {', '.join(WEEKDAYS)})"
        ) from None
    return today + timedelta(days=(target - today.weekday()) % 7)


def week_window(week: date) -> tuple[datetime, datetime]:
    """The UTC instants ``[start, end)`` of the seven days ending on ``week``."""
    end = datetime.combine(week + timedelta(days=1), time.min, tzinfo=UTC)
    return end - timedelta(days=7), end


def parse_week(text: str) -> date:
    """A ``YYYY-MM-DD`` given by the user."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def format_date(day: date, pattern: str) -> str:
    """``day`` written with ``pattern``: {m} {d} {mm} {dd} {yy} {yyyy} {month}.

    The default ``{m}-{d}-{yy}`` writes 2025-01-31 as ``1-31-25``.
    """
    values = {
        "m": str(day.month),
        "d": str(day.day),
        "mm": f"{day.month:02d}",
        "dd": f"{day.day:02d}",
        "yy": f"{day.year % 100:02d}",
        "yyyy": str(day.year),
        "month": calendar.month_name[day.month],
    }
    return _fill(pattern, values, "compose.date_format")


def _fill(template: str, values: dict[str, str], setting: str) -> str:
    """``template`` with its ``{name}`` fields replaced; any other field is a config error.

    Only plain names are allowed: ``str.format`` would also evaluate ``{x.attr}``
    and ``{x[0]}``, which a settings file has no business doing.
    """
    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"{setting}: {exc} in {template!r} (write {{{{ for a brace)") from None
    for literal, name, spec, conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if name not in values or spec or conversion:
            known = ", ".join("{" + key + "}" for key in values)
            raise ConfigError(f"{setting}: unknown field {{{name}}} (use {known})")
        out.append(values[name])
    return "".join(out)


def fill_subtitle(template: str, day: date, date_format: str) -> str:
    """The subtitle template with ``{date}`` written in ``date_format``."""
    return _fill(template, {"date": format_date(day, date_format)}, "compose.subtitle")
