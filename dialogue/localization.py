"""The reader's language and time zone on pages: each language named in itself, the time
zones a person may choose (IANA names), the writing direction of the page's language, and
moments shown in the page's locale and time zone (Babel, through Flask-Babel)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError
from flask import Flask
from flask_babel import format_datetime, format_number, format_percent, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# Each language named in itself, for the language picker and the session's language (never
# translated: a reader looks for their own language's name).
LANGUAGE_NAMES = {"en": "English", "hy": "Հայերեն", "az": "Azərbaycan dili", "ru": "Русский"}


# The zones of the two countries, offered first (in alphabetical order, neither before the
# other by choice), then UTC, then every other zone.
REGION_ZONES = ("Asia/Baku", "Asia/Yerevan")


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zones a person may choose: the region's two, UTC, then regions' cities sorted
    (not the legacy aliases of other systems, nor the POSIX copies some tz databases carry)."""
    legacy = ("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")
    names = {name for name in available_timezones()
             if "/" in name and not name.startswith(legacy) and name not in ("posixrules",)}
    return (*REGION_ZONES, "UTC", *sorted(names - set(REGION_ZONES)))


def zone_or_none(name) -> ZoneInfo | None:
    """The zone of an IANA name, or None for anything else (None, a malformed or unknown
    name, a path): only names of the tz database are ever opened."""
    if not isinstance(name, str) or name not in _known_zones():
        return None
    return ZoneInfo(name)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def valid_time_zone(form, field) -> None:
    """A WTForms validator: empty, or the IANA name of a time zone."""
    if field.data and zone_or_none(field.data) is None:
        raise ValidationError(_l("Choose a time zone from the list, for example Asia/Yerevan or Asia/Baku."))


def text_direction(locale) -> str:
    """"ltr" or "rtl" for a locale (a Babel Locale or a code), from Babel's character order."""
    try:
        found = locale if isinstance(locale, Locale) else Locale.parse(str(locale or "en"))
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if found.character_order == "right-to-left" else "ltr"


def as_moment(value) -> datetime | None:
    """A datetime from a datetime or an ISO 8601 string (naive ones are UTC); None otherwise."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_moment(value, form: str = "medium") -> str:
    """A moment in the page's locale and time zone, followed by the zone's offset from UTC
    ("GMT+04:00", "GMT+00:00" for UTC) so that nobody misreads it; "" for no moment."""
    moment = as_moment(value)
    if moment is None:
        return ""
    return f"{format_datetime(moment, form)} {format_datetime(moment, 'ZZZZ')}"


def page_direction() -> str:
    return text_direction(get_locale())


def plural_samples() -> list[tuple[str, int]]:
    """Each plural category (CLDR: "one", "few", "many", "other") of the page's language with
    the smallest whole number from 1 in it, so a page can render every plural form of a
    sentence for its scripts (`data-i18n-<key>-<category>`); the browser then picks the form
    with Intl.PluralRules, whose categories are the same CLDR ones."""
    return _plural_samples(str(get_locale() or "en"))


@cache
def _plural_samples(language: str) -> list[tuple[str, int]]:
    try:
        rule = Locale.parse(language).plural_form
    except (UnknownLocaleError, ValueError):
        rule = Locale("en").plural_form
    samples: dict[str, int] = {}
    for number in range(1, 200):
        samples.setdefault(rule(number), number)
    return sorted(samples.items())


def page_time_zone() -> str:
    """The IANA name of the zone the page shows times in (for the page's scripts)."""
    zone = get_timezone()
    return getattr(zone, "key", None) or getattr(zone, "zone", None) or "UTC"


def init_app(app: Flask) -> None:
    """The page helpers: the direction, the time zone's name, the languages' own names, and
    the `moment`, `number` and `percent` filters (Babel, in the page's locale)."""
    app.jinja_env.globals["page_direction"] = page_direction
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES
    app.jinja_env.globals["page_time_zone"] = page_time_zone
    app.jinja_env.globals["plural_samples"] = plural_samples
    app.jinja_env.filters["moment"] = local_moment
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
