"""Turns light Markdown into safe HTML. The only module that imports the sanitizer (nh3).

Bodies are rendered once, at write time, and the stored HTML is what every client gets.
markdown-it-py renders with raw HTML switched off, so any markup a person types stays
text; nh3 (Ammonia) then keeps only the tags and attributes below, whatever the renderer
produced. bleach is not used: its maintainers archived it in 2026 without further releases.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "s",
}
# "*" lists attributes allowed on every tag: none (nh3 would otherwise keep title and lang).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}, "*": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False, "breaks": True})
    .enable(["linkify", "strikethrough"])
    # Headings, images and tables are not part of conversational Markdown.
    .disable(["heading", "lheading", "image", "table", "hr", "html_block", "html_inline"], True)
)


def clean_html(html: str) -> str:
    """Remove every tag, attribute and URL scheme that is not explicitly allowed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        # Relative and protocol-relative links ("//host/path") would escape the scheme allowlist.
        url_relative="deny",
        strip_comments=True,
    )


def render_message(source: str) -> str:
    """Render a message body written in light Markdown to sanitized HTML."""
    return clean_html(_markdown.render(source)).strip()
