"""What every transcript format shows, worded and laid out once: the statistics, the order,
the grouping by agenda phase, the author labels, the left-out markers, the times (in the
session's time zone) and the reply links.

Everything here takes the document that `transcripts.build.build()` returns (schema
dialogue-transcript/1, docs/transcripts.md) and nothing else, so the formats cannot disagree.
Nothing here reads the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from flask_babel import ngettext

from ..web import LANGUAGE_LABELS

# What happened to a message that is not shown as written, in the order notes list them: held
# and never decided, rejected by a moderator, hidden after flags (no decision yet), redacted,
# deleted by its author.
FATES = ("held", "rejected", "hidden", "redacted", "deleted")

# --- statistics -------------------------------------------------------------------------------




def statistics(document: dict) -> dict:
    """Duration, members, messages and words per side and per phase, and moderation counts.

    Sides are keyed by their label as the document shows it (None for messages shown without
    a side: members without one, or every message under attribution `none`); phases by their
    index (None for messages written before the first phase). Members are the distinct
    authors among shown messages, so under attribution `none` they cannot be counted (None)."""
    session = document.get("session") or {}
    # Translations are not messages of the conversation: they are shown beside their originals.
    conversation = [m for m in document.get("messages", []) if m.get("translation_of") is None]
    shown = [m for m in conversation if "left_out" not in m]
    sides = _side_keys(document, shown)
    phase_rows = _phase_rows(document, shown)

    messages_by_side = {side: 0 for side in sides}
    words_by_side = {side: 0 for side in sides}
    authors: dict = {side: set() for side in sides}
    rows = {row["index"]: row for row in phase_rows}
    for message in shown:
        side, words = message.get("side"), count_words(message.get("text") or "")
        messages_by_side[side] += 1
        words_by_side[side] += words
        if message.get("author"):
            authors[side].add(message["author"])
        row = rows[message.get("phase")]
        row["messages"][side] += 1
        row["words"][side] += words

    any_author = any(m.get("author") for m in shown)
    left_out = {"consent": 0, "moderation": 0, "undecided": 0, "deleted": 0}
    left_out_fates: dict[str, int] = {}
    annotated: dict[str, int] = {}
    for message in conversation:
        # What happened to it; documents made before fates were recorded name only the status.
        happened = message.get("fate") or message.get("status")
        if "left_out" in message:
            left_out[message["left_out"]] = left_out.get(message["left_out"], 0) + 1
            if message["left_out"] != "consent":
                key = happened or message["left_out"]
                left_out_fates[key] = left_out_fates.get(key, 0) + 1
        elif happened:
            annotated[happened] = annotated.get(happened, 0) + 1
    started, ended = _parse(session.get("started_at")), _parse(session.get("ended_at"))
    return {
        "started_at": session.get("started_at"),
        "ended_at": session.get("ended_at"),
        "duration_seconds": int((ended - started).total_seconds()) if started and ended else None,
        "sides": sides,
        "members": {side: len(names) for side, names in authors.items()} if any_author else None,
        "members_total": document.get("members"),
        "messages": {"total": len(shown), "by_side": messages_by_side,
                     "by_phase": {row["index"]: sum(row["messages"].values()) for row in phase_rows}},
        "words": {"total": sum(words_by_side.values()), "by_side": words_by_side,
                  "by_phase": {row["index"]: sum(row["words"].values()) for row in phase_rows}},
        "by_phase": phase_rows,
        "left_out": left_out,
        "left_out_fates": left_out_fates,
        "shown_with_status": annotated,
        "moderation_actions": dict(document.get("moderation") or {}),
    }


def count_words(text: str) -> int:
    """Words as runs of non-space characters (Armenian, Azerbaijani, Russian and English alike)."""
    return len(text.split())


def _side_keys(document: dict, shown: list[dict]) -> list:
    """Both sides always, in the session's order (the platform is symmetric), then None when
    some shown message has no side; only None under attribution `none`."""
    keys = [] if document.get("attribution") == "none" else \
        [s for s in (document.get("session") or {}).get("sides", []) if s]
    for message in shown:
        if message.get("side") not in keys:
            keys.append(message.get("side"))
    return keys


def _phase_rows(document: dict, shown: list[dict]) -> list[dict]:
    """One row per agenda phase (even an empty one), after a row for messages written before
    the first phase when there are any; a single row when the session had no agenda."""
    sides = _side_keys(document, shown)
    titles = {p["index"]: p.get("title") or "" for p in document.get("phases", [])}
    indexes = sorted(titles)
    written = {m.get("phase") for m in shown}
    for index in sorted(i for i in written if i is not None and i not in titles):
        indexes.append(index)  # a phase since removed from the agenda
    if None in written or not indexes:
        indexes.insert(0, None)
    return [{"index": i, "title": _phase_title(i, titles, bool(titles)),
             "messages": {side: 0 for side in sides}, "words": {side: 0 for side in sides}}
            for i in indexes]


def _phase_title(index, titles: dict, has_agenda: bool) -> str:
    if index is None:
        return _("Before the agenda") if has_agenda else _("The whole session")
    if index in titles:
        return _("Phase %(n)d: %(title)s", n=index + 1, title=titles[index])
    return _("Phase %(n)d", n=index + 1)


# --- the layout every format spells out ------------------------------------------------------


@dataclass
class Entry:
    """One message, or the marker that stands where a message was left out."""

    id: int
    anchor: str
    marker: str | None = None
    author: str = ""
    time: str = ""
    created_at: str | None = None
    text: str = ""
    html: str = ""
    reply_to: int | None = None
    reply_anchor: str | None = None  # None when what it answers is not in the transcript
    annotation: str | None = None  # the staff version's moderation status
    lang: str | None = None
    # A translation: "Interpretation into Russian", and (staff) when it was corrected.
    translation_label: str | None = None
    translations: list[Entry] = field(default_factory=list)


@dataclass
class Group:
    """A run of messages written in the same agenda phase."""

    anchor: str
    heading: str
    prompt: str = ""
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Layout:
    """Everything a format shows, in the order it shows it, already worded and in local time."""

    title: str
    description: str
    language: str
    version: str
    attribution: str
    version_label: str
    attribution_label: str
    generated: str
    started: str
    ended: str
    duration: str
    time_zone: str
    time_zone_label: str
    sides: list[str]
    preface: list[str]
    summary: list[str]
    left_out_note: str
    groups: list[Group]
    stats: dict
    stat_rows: list[dict]
    phase_rows: list[dict]
    moderation: list[tuple[str, int]]
    final_digest: str
    chain_length: int
    published_digest: str | None
    published_entry: int | None  # the chain entry whose hash is the published digest
    verify_command: str
    verify_note: str


def layout(document: dict) -> Layout:
    session = document.get("session") or {}
    zone_name = session.get("time_zone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone_name, zone = "UTC", ZoneInfo("UTC")
    messages = document.get("messages", [])
    started = _parse(session.get("started_at"))
    first = next((_parse(m.get("created_at")) for m in messages if m.get("created_at")), None)
    reference = started or first or _parse(document.get("generated_at"))
    home_day = reference.astimezone(zone).date() if reference else None

    def local(value, always_date=True) -> str:
        moment = _parse(value)
        if moment is None:
            return ""
        moment = moment.astimezone(zone)
        if always_date or moment.date() != home_day:
            return moment.strftime("%Y-%m-%d %H:%M")
        return moment.strftime("%H:%M")

    # A held message nobody decided on is left out of the participants' version with no marker
    # in the conversation (it was never part of it); the notes count it.
    messages = [m for m in messages if m.get("left_out") != "undecided"]
    present = {m["id"] for m in messages}
    attribution = document.get("attribution", "")
    has_agenda = bool(document.get("phases"))
    titles = {p["index"]: p.get("title") or "" for p in document.get("phases", [])}
    prompts = {p["index"]: p.get("prompt") or "" for p in document.get("phases", [])}
    # Left-out markers carry no phase; the chain records every message's phase.
    chain_phase = {(link.get("payload") or {}).get("message"): (link.get("payload") or {}).get("phase")
                   for link in document.get("chain") or [] if link.get("kind") == "message_created"}
    groups: list[Group] = []
    current = None
    originals: dict = {}
    for message in messages:
        if message.get("translation_of") is not None:
            # Under its original, when both are in the record; a left-out translation goes unmarked.
            original = originals.get(message["translation_of"])
            if original is not None and "left_out" not in message:
                original.translations.append(_entry(message, attribution, present, local))
            continue
        phase = message["phase"] if "phase" in message else chain_phase.get(message["id"])
        if not has_agenda:
            if not groups:
                groups.append(Group("conversation", _("The conversation")))
        elif not groups or phase != current:
            current = phase
            groups.append(Group(f"phase-run-{len(groups) + 1}", _phase_title(phase, titles, True),
                                prompts.get(phase, "")))
        entry = _entry(message, attribution, present, local)
        originals[message["id"]] = entry
        groups[-1].entries.append(entry)

    stats = statistics(document)
    offset = reference.astimezone(zone).strftime("%z") if reference else "+0000"
    left = stats["left_out"]
    notes = []
    if left.get("consent"):
        notes.append(ngettext("%(num)d message was left out because its author did not consent to appear.",
                              "%(num)d messages were left out because their authors did not consent to appear.",
                              left["consent"]))
    notes += [fate_note(happened, count) for happened, count in sorted(
        stats["left_out_fates"].items(), key=lambda item: _fate_order(item[0]))]
    published = session.get("published_digest")
    return Layout(
        title=session.get("title") or _("Untitled session"),
        description=session.get("description") or "",
        language=session.get("language") or "en",
        version=document.get("version", "participants"),
        attribution=attribution,
        version_label=_("Staff version: includes moderated messages and moderation notes. Not for circulation.")
        if document.get("version") == "staff" else _("Participants' version"),
        attribution_label=_attribution_label(attribution),
        generated=local(document.get("generated_at")),
        started=local(session.get("started_at")) or _("not started"),
        ended=local(session.get("ended_at")) or _("not ended"),
        duration=_duration(stats["duration_seconds"]),
        time_zone=zone_name,
        time_zone_label=_("%(zone)s (UTC%(offset)s)", zone=zone_name, offset=f"{offset[:3]}:{offset[3:]}"),
        sides=[s for s in session.get("sides", []) if s],
        preface=_paragraphs(session.get("preface")),
        summary=_paragraphs(session.get("summary")),
        left_out_note=" ".join(notes),
        groups=groups,
        stats=stats,
        stat_rows=_stat_rows(stats, attribution),
        phase_rows=[{"title": row["title"], "messages": sum(row["messages"].values()),
                     "words": sum(row["words"].values())} for row in stats["by_phase"]],
        moderation=sorted(stats["moderation_actions"].items()),
        final_digest=document.get("final_digest", ""),
        chain_length=len(document.get("chain") or []),
        published_digest=published,
        published_entry=next((link.get("position") for link in document.get("chain") or []
                              if published and link.get("hash") == published), None),
        verify_command=document.get("verify") or "dialogue transcript verify FILE.json",
        verify_note=_("To check that this record was not altered, download the JSON version of this "
                      "transcript (the same version and attribution) and run the command below on it. "
                      "It exits 0 when the integrity chain is intact, and then its final digest must be "
                      "the one shown here; it exits 1, naming the first broken entry, when anything "
                      "was changed, removed or reordered."),
    )


def _entry(message: dict, attribution: str, present: set, local) -> Entry:
    entry = Entry(id=message["id"], anchor=_anchor(message["id"]))
    if "left_out" in message:
        entry.marker = marker(message)
        return entry
    reply_to = message.get("reply_to")
    entry.author = author_label(message, attribution)
    entry.time = local(message.get("created_at"), always_date=False)
    entry.created_at = message.get("created_at")
    entry.text = message.get("text") or ""
    entry.html = message.get("html") or ""
    entry.reply_to = reply_to
    entry.reply_anchor = _anchor(reply_to) if reply_to in present else None
    if message.get("fate") or message.get("status"):
        entry.annotation = status_label(message.get("fate") or message["status"])
    entry.lang = message.get("lang")
    if message.get("translation_of") is not None:
        language = str(LANGUAGE_LABELS.get(entry.lang or "", entry.lang or ""))
        entry.translation_label = (_("Interpretation: %(language)s (corrected)", language=language)
                                   if message.get("edited_at") else
                                   _("Interpretation: %(language)s", language=language))
    return entry


def _anchor(message_id) -> str:
    return f"message-{message_id}"


def marker(message: dict) -> str:
    """The neutral sentence that stands where a message was left out, saying what happened."""
    if message.get("left_out") == "consent":
        return _("A message was left out: its author did not consent to appear")
    return {"held": _("A message was held for review and never decided; it was never shown"),
            "rejected": _("A message was rejected by a moderator"),
            "hidden": _("A message was hidden after members flagged it; no moderator has decided on it"),
            "redacted": _("A message was redacted by a moderator: its text is kept nowhere"),
            "deleted": _("A message was deleted by its author")}.get(
        message.get("fate") or message.get("status"), _("A message was removed by moderators"))


def fate_note(happened: str, count: int) -> str:
    """The sentence of the notes that counts the messages left out with one fate."""
    notes = {
        "held": lambda: ngettext("%(num)d message was held for review and never decided; it was never shown.",
                                 "%(num)d messages were held for review and never decided; they were never shown.",
                                 count),
        "rejected": lambda: ngettext("%(num)d message was rejected by a moderator.",
                                     "%(num)d messages were rejected by a moderator.", count),
        "hidden": lambda: ngettext("%(num)d message was hidden after members flagged it.",
                                   "%(num)d messages were hidden after members flagged them.", count),
        "redacted": lambda: ngettext("%(num)d message was redacted by a moderator.",
                                     "%(num)d messages were redacted by a moderator.", count),
        "deleted": lambda: ngettext("%(num)d message was deleted by its author.",
                                    "%(num)d messages were deleted by their authors.", count)}
    return notes.get(happened, lambda: ngettext("%(num)d message was removed by moderators.",
                                                "%(num)d messages were removed by moderators.", count))()


def _fate_order(happened: str) -> int:
    return FATES.index(happened) if happened in FATES else len(FATES)


def author_label(message: dict, attribution: str = "") -> str:
    """How a shown message's author is named: as the document attributes them, with their side
    and any role other than participant; with neither name nor side, by role alone."""
    author, side, role = message.get("author"), message.get("side"), message.get("role") or "participant"
    if not author:
        return {"facilitator": _("A facilitator"), "moderator": _("A moderator"),
                "observer": _("An observer"), "interpreter": _("An interpreter")}.get(role, _("A participant"))
    details = []
    # Under attribution `side` the label already names the side ("Participant from Armenia 2").
    naming = message.get("naming") or attribution
    if side and not (naming == "side" or side in author):
        details.append(side)
    shown_role = _role_label(role)
    if shown_role and shown_role.casefold() not in author.casefold():
        details.append(shown_role)
    return f"{author} ({', '.join(details)})" if details else author


def _role_label(role: str) -> str:
    """A role as an author label shows it; none for participants, who are most authors."""
    return {"participant": "", "facilitator": _("facilitator"), "moderator": _("moderator"),
            "observer": _("observer"), "interpreter": _("interpreter")}.get(role, role)


def status_label(happened: str) -> str:
    """What happened to a message, as the staff version notes it (its fate, or an older
    document's status)."""
    return {"held": _("held for review, never decided"), "rejected": _("rejected by a moderator"),
            "hidden": _("hidden after flags, not decided by a moderator"),
            "redacted": _("redacted: its text is kept nowhere"),
            "deleted": _("deleted by its author")}.get(happened, happened)


def _attribution_label(attribution: str) -> str:
    return {
        "named": _("real names, unless a member chose more privacy"),
        "pseudonym": _("names used in the session, unless a member chose more privacy"),
        "side": _("sides only (\"Participant from …\"), unless a member chose more privacy"),
        "none": _("no names and no sides (Chatham House rule)"),
    }.get(attribution, attribution)


def side_label(side, attribution: str) -> str:
    if side is not None:
        return side
    return _("Sides not shown") if attribution == "none" else _("No side")


def _stat_rows(stats: dict, attribution: str) -> list[dict]:
    """Per side: members, messages, words; the rows of the statistics table."""
    members = stats["members"]
    return [{"side": side_label(side, attribution),
             "members": "—" if members is None else members[side],
             "messages": stats["messages"]["by_side"][side],
             "words": stats["words"]["by_side"][side]} for side in stats["sides"]]


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return _("unknown (the session has not ended)")
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours:
        return _("%(h)d h %(m)02d min", h=hours, m=minutes)
    return _("%(m)d min", m=minutes) if minutes else _("under a minute")


def _paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


# --- pieces several formats show --------------------------------------------------------------


def facts(t: Layout) -> list[tuple[str, str]]:
    return [(_("Started"), t.started), (_("Ended"), t.ended), (_("Duration"), t.duration),
            (_("Times are in"), t.time_zone_label), (_("Sides"), " · ".join(t.sides)),
            (_("Attribution"), t.attribution_label), (_("Generated"), t.generated)]


def integrity(t: Layout) -> list[tuple[str, str]]:
    rows = [(_("Final digest (SHA-256)"), t.final_digest), (_("Chain entries"), str(t.chain_length))]
    if t.published_digest:
        rows.append((_("Digest frozen when the transcript was published"), t.published_digest))
        rows.append((_("Published at"), published_at(t)))
    return rows


def published_at(t: Layout) -> str:
    if t.published_entry is None:
        return _("not found in this chain: this transcript is not a continuation of the published one")
    return _("chain entry %(n)d of %(total)d", n=t.published_entry, total=t.chain_length)


def moderation_rows(t: Layout) -> list[list]:
    rows = [[_("Left out: no consent to appear"), t.stats["left_out"].get("consent", 0)]]
    rows += [[_("Left out: %(status)s", status=status_label(happened)), count] for happened, count in sorted(
        t.stats["left_out_fates"].items(), key=lambda item: _fate_order(item[0]))]
    rows += [[_("Shown here, %(status)s", status=status_label(status)), count]
             for status, count in sorted(t.stats["shown_with_status"].items())]
    rows += [[_("Moderation action: %(action)s", action=action), count] for action, count in t.moderation]
    return rows
