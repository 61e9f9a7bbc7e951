"""Turn a member's plain text into safe HTML: paragraphs, line breaks and links, nothing else.

The text is escaped first, so no markup a member types ever reaches the page as markup;
links are then made from bare URLs, and the result goes through nh3 with a short
explicit allow-list as a second line of defence (nh3's default list allows images and
tables, which comments never need).
"""

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"a", "p", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "nofollow ugc noopener"

# Bidirectional embedding/override/isolate controls can make text read backwards
# ("gpj.exe" tricks) and spill over the rest of the page; they have no use here.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
TRAILING_PUNCTUATION = ".,;:!?)]}*_"
MAX_LINK_TEXT = 60


def comment_normalise(text: str) -> str:
    """The text as stored: Unix line ends, no bidi controls, no blank edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return BIDI_CONTROLS.sub("", text).strip()


def _trim_url(url: str) -> tuple[str, str]:
    """Split trailing punctuation off a URL (a closing bracket stays when balanced)."""
    trailing = ""
    while url and url[-1] in TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        trailing = url[-1] + trailing
        url = url[:-1]
    return url, trailing


def _linkify_line(line: str) -> str:
    parts: list[str] = []
    position = 0
    for match in URL.finditer(line):
        url, trailing = _trim_url(match.group(0))
        if not url or url.lower() in {"http://", "https://", "www."}:
            continue
        href = url if url.lower().startswith("http") else f"https://{url}"
        label = url if len(url) <= MAX_LINK_TEXT else url[: MAX_LINK_TEXT - 1] + "…"
        parts.append(escape(line[position : match.start()]))
        parts.append(f'<a href="{escape(href)}">{escape(label)}</a>{escape(trailing)}')
        position = match.end()
    parts.append(escape(line[position:]))
    return "".join(parts)


def comment_to_html(text: str) -> SafeString:
    """Paragraphs at blank lines, ``<br>`` at single line breaks, bare URLs as links."""
    paragraphs = re.split(r"\n\s*\n", comment_normalise(text))
    html = "".join(
        "<p>" + "<br>".join(_linkify_line(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )
    # Safe: every piece of member text was escaped above, and nh3 checked the result.
    return mark_safe(cleaned)
