"""Editor-supplied HTML made safe: an allow-list of tags and attributes, no scripts."""

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
