"""Transcripts in the formats people read: Markdown, plain text and printable HTML.

Each format only spells out the layout (dialogue.transcripts.layout) of the document that
`transcripts.build.build()` returns; nothing here reads the database.
"""

from __future__ import annotations

import base64
import functools
import re
import textwrap
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import gettext as _

from .layout import Layout, facts, integrity, layout, moderation_rows, published_at, side_label

# --- Markdown ---------------------------------------------------------------------------------


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


_MD_HASHES = re.compile(r"(^#|#$)")  # a heading only where a line starts or ends with one


def _md(text: str) -> str:
    """Text (a name, a title) that Markdown shows as it is."""
    return _MD_HASHES.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", text))


def _md_lines(text: str) -> str:
    return "  \n".join(_md(line) for line in text.split("\n"))


# What a message's Markdown may not do in the export: open a link, an image, a reference
# definition (which would apply to the whole document) or an autolink.
_MD_LINK_SYNTAX = re.compile(r"([\\\[\]])")


def _md_quote(source: str) -> str:
    """A message's own Markdown as a block quote, its emphasis and lists kept. Raw HTML and
    autolinks are neutralised (`<`), and so are link, image and reference brackets (escaped),
    since some readers of Markdown would follow a `javascript:` destination; line breaks are
    kept as the room showed them."""
    lines = _MD_LINK_SYNTAX.sub(r"\\\1", source.replace("\r\n", "\n")).replace("<", "&lt;").split("\n")
    out = []
    for index, line in enumerate(lines):
        hard_break = index + 1 < len(lines) and line.strip() and lines[index + 1].strip()
        out.append(("> " + line if line else ">") + ("  " if hard_break else ""))
    return "\n".join(out)


def to_markdown(document: dict) -> str:
    """The transcript as Markdown: headings per phase, anchors on messages, links on replies."""
    t = layout(document)
    out = [f"# {_md(t.title)}", ""]
    if t.description:
        out += [_md_lines(t.description), ""]
    out += [f"*{_md(t.version_label)}*", ""]
    out += [f"- {_md(label)}: {_md(value)}" for label, value in facts(t)] + [""]
    if t.left_out_note:
        out += [_md(t.left_out_note), ""]
    if t.preface:
        out += [f"## {_md(_('Preface'))}", ""]
        for paragraph in t.preface:
            out += [_md_lines(paragraph), ""]
    out += [f"## {_md(_('Participation'))}", ""] + _md_statistics(t)
    for group in t.groups:
        out += [f"## {_md(group.heading)}", ""]
        if group.prompt:
            out += [f"*{_md(group.prompt)}*", ""]
        for entry in group.entries:
            anchor = f'<a id="{entry.anchor}"></a>'
            if entry.marker:
                out += [f"{anchor}**#{entry.id}** · *{_md(entry.marker)}*", ""]
                continue
            head = f"{anchor}**#{entry.id} · {_md(entry.author)}** · {entry.time}"
            if entry.reply_to is not None:
                label = _md(_("reply to #%(id)d", id=entry.reply_to))
                head += f" · [{label}](#{entry.reply_anchor})" if entry.reply_anchor else f" · {label}"
            if entry.annotation:
                head += f" · *{_md(entry.annotation)}*"
            out += [head, "", _md_quote(entry.text), ""]
            for translation in entry.translations:
                line = f"> *{_md(translation.translation_label)} · {_md(translation.author)}*"
                if translation.annotation:
                    line += f" · *{_md(translation.annotation)}*"
                nested = "\n".join("> " + quoted for quoted in _md_quote(translation.text).split("\n"))
                out += [line, ">", nested, ""]
    if t.summary:
        out += [f"## {_md(_('Closing summary'))}", ""]
        for paragraph in t.summary:
            out += [_md_lines(paragraph), ""]
    if t.version == "staff":
        out += [f"## {_md(_('Moderation'))}", ""] + _md_moderation(t)
    out += [f"## {_md(_('Integrity'))}", ""]
    out += [f"- {_md(label)}: " + (f"`{value}`" if len(value) == 64 else _md(value)) for label, value in integrity(t)]
    out += [""]
    out += [_md(t.verify_note), "", f"    {t.verify_command}", ""]
    return "\n".join(out)


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(_md(h) for h in header) + " |",
             "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(_md(str(c)) for c in row) + " |" for row in rows]
    return lines + [""]


def _md_statistics(t: Layout) -> list[str]:
    return (_md_table([_("Side"), _("Members"), _("Messages"), _("Words")],
                      [[r["side"], r["members"], r["messages"], r["words"]] for r in t.stat_rows])
            + _md_table([_("Phase"), _("Messages"), _("Words")],
                        [[r["title"], r["messages"], r["words"]] for r in t.phase_rows]))


def _md_moderation(t: Layout) -> list[str]:
    return _md_table([_("Moderation"), _("Count")], moderation_rows(t))


# --- plain text -------------------------------------------------------------------------------


def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


def _wrap(text: str, indent: str = "") -> list[str]:
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        lines += textwrap.wrap(line, width=78, initial_indent=indent, subsequent_indent=indent,
                               break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]
    return lines


def to_text(document: dict) -> str:
    """The transcript as plain text: numbered messages, "(reply to #id)" for replies."""
    t = layout(document)
    out = _heading(t.title, "=")
    if t.description:
        out += _wrap(t.description) + [""]
    out += [t.version_label, ""]
    out += [f"{label}: {value}" for label, value in facts(t)] + [""]
    if t.left_out_note:
        out += _wrap(t.left_out_note) + [""]
    if t.preface:
        out += _heading(_("Preface"), "-")
        for paragraph in t.preface:
            out += _wrap(paragraph) + [""]
    out += _heading(_("Participation"), "-") + _text_statistics(t)
    for group in t.groups:
        out += _heading(group.heading, "-")
        if group.prompt:
            out += _wrap(group.prompt) + [""]
        for entry in group.entries:
            if entry.marker:
                out += [f"#{entry.id} · [{entry.marker}]", ""]
                continue
            head = f"#{entry.id} · {entry.author} · {entry.time}"
            if entry.reply_to is not None:
                head += " " + _("(reply to #%(id)d)", id=entry.reply_to)
            if entry.annotation:
                head += f" [{entry.annotation}]"
            out += [head] + _wrap(entry.text, "    ") + [""]
            for translation in entry.translations:
                note = f"    {translation.translation_label} · {translation.author}"
                if translation.annotation:
                    note += f" [{translation.annotation}]"
                out += [note] + _wrap(translation.text, "        ") + [""]
    if t.summary:
        out += _heading(_("Closing summary"), "-")
        for paragraph in t.summary:
            out += _wrap(paragraph) + [""]
    if t.version == "staff":
        out += _heading(_("Moderation"), "-")
        out += _text_table([_("Moderation"), _("Count")], moderation_rows(t))
    out += _heading(_("Integrity"), "-")
    out += [f"{label}: {value}" for label, value in integrity(t)] + [""]
    out += _wrap(t.verify_note) + ["", f"    {t.verify_command}", ""]
    return "\n".join(out)


def _text_table(header: list[str], rows: list[list]) -> list[str]:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        lines.append("  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                                         strict=True)]).rstrip())
    return lines + [""]


def _text_statistics(t: Layout) -> list[str]:
    return (_text_table([_("Side"), _("Members"), _("Messages"), _("Words")],
                        [[r["side"], r["members"], r["messages"], r["words"]] for r in t.stat_rows])
            + _text_table([_("Phase"), _("Messages"), _("Words")],
                          [[r["title"], r["messages"], r["words"]] for r in t.phase_rows]))


# --- HTML -------------------------------------------------------------------------------------


CHART_WIDTH = 560


CHART_LABEL_WIDTH = 150


CHART_BAR_SPACE = 330


CHART_BAR_HEIGHT = 14


CHART_ROW_HEIGHT = 20


CHART_TITLE_HEIGHT = 22


def participation_chart(t: Layout) -> dict:
    """The geometry of a horizontal bar chart of messages by side within each phase.

    Every side's bar looks the same (the platform never tells sides apart by colour, shape
    or position); each bar is labelled with its side and its count, so it reads in grey."""
    sides = t.stats["sides"]
    largest = max([1] + [n for row in t.stats["by_phase"] for n in row["messages"].values()])
    y, titles, bars = 0, [], []
    for row in t.stats["by_phase"]:
        titles.append({"y": y + 15, "text": _shorten(row["title"], 70)})
        y += CHART_TITLE_HEIGHT
        for side in sides:
            count = row["messages"][side]
            width = round(CHART_BAR_SPACE * count / largest, 1)
            bars.append({"label": _shorten(side_label(side, t.attribution), 22),
                         "label_y": y + 11, "y": y, "x": CHART_LABEL_WIDTH, "width": width,
                         "height": CHART_BAR_HEIGHT, "value": count, "value_x": CHART_LABEL_WIDTH + width + 6})
            y += CHART_ROW_HEIGHT
        y += 4
    return {"width": CHART_WIDTH, "height": max(y, 1), "titles": titles, "bars": bars,
            "label_x": CHART_LABEL_WIDTH - 8}


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def to_html(document: dict, standalone: bool = True) -> str:
    """The transcript as an HTML page that prints well (templates/transcripts/transcript.html).

    Standalone (a download, the command line): the stylesheet and its fonts are inside the
    file, so it reads and prints the same opened from disk, with no site to load them from.
    Otherwise (the public page, served under the site's Content-Security-Policy, which allows
    no inline style) the stylesheet is linked. Needs an application context, not a request."""
    t = layout(document)
    chart = participation_chart(t)
    stylesheet = None
    if not standalone:
        stylesheet = url_for("static", filename="css/transcript.css") if has_request_context() else \
            f"{current_app.static_url_path}/css/transcript.css"
    return render_template("transcripts/transcript.html", t=t, chart=chart, stylesheet_url=stylesheet,
                           inline_css=_standalone_css(current_app.static_folder) if standalone else None,
                           published_at=published_at(t) if t.published_digest else "",
                           moderation_rows=moderation_rows(t) if t.version == "staff" else [])


_FONT_URL = re.compile(r'url\("(\.\./fonts/[\w.-]+\.woff2)"\)')


@functools.lru_cache(maxsize=4)
def _standalone_css(static_folder: str) -> str:
    """The transcript stylesheet with its fonts as data: URLs (Armenian script renders from
    disk too). Our own file, read once per process; `</` is escaped the CSS way, so nothing
    in it can close the <style> element."""
    css_dir = Path(static_folder) / "css"
    css = (css_dir / "transcript.css").read_text(encoding="utf-8")

    def embed(match: re.Match) -> str:
        data = base64.b64encode((css_dir / match[1]).read_bytes()).decode("ascii")
        return f'url("data:font/woff2;base64,{data}")'

    return _FONT_URL.sub(embed, css).replace("</", "<\\/")


RENDERERS = {"md": to_markdown, "txt": to_text, "html": to_html}
