"""Editor-supplied HTML made safe (allowed tags and attributes only) or made plain text."""

from django.utils.html import strip_tags

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt",
        "em", "figcaption", "figure", "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p",
        "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
        "u", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "lang"],
    "a": ["href", "rel", "target"],
    "img": ["src", "alt", "width", "height", "loading"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})


def sanitize_html(html: str) -> str:
    """Strip what an editor must not put on a page: script, style and iframe tags,
    event handlers, style attributes, javascript: links. What was inside a removed
    tag stays only as escaped, inert text."""
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return cleaner.clean(html)


def plain_text(html: str) -> str:
    """The words of an HTML fragment without its tags, on one line (structured data,
    the booking receipt)."""
    return " ".join(strip_tags(html).split())
