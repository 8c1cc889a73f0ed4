"""Tables as rows that stand on their own (``Day ticket — adult: 6.40; concession: 3.20.``).

A table split into chunks loses its header row, and a row read alone ("| Day ticket | 6.40 | 3.20 |")
does not say which number is which. Each row is rewritten as one sentence that names its columns
(and the group it is in, where a row that names only a group, like an HTML ``<th colspan>``, heads the
rows below it), and the splitter makes it a chunk of its own under the table's heading, so a question
about one row retrieves that row. HTML tables are turned into Markdown ones by the loader first, so both read alike.

No library here writes tables out as self-describing rows (markdown-it and BeautifulSoup parse them,
pandas needs a frame per table), so this small reader is our own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import Tag

_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE_CELL = re.compile(r"^:?-{3,}:?$")
_CAPTION = re.compile(r"^\s*Table: (.+?)\s*$")
# A dash or "n/a" in a cell says the column does not apply: no value to state ("group size: —" answers nothing).
_NO_VALUE = frozenset({"-", "–", "—", "n/a", "N/A", "n.a."})


def cells(line: str) -> list[str]:
    """The cells of one Markdown table line, trimmed (escaped pipes stay inside their cell)."""
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def is_row(line: str) -> bool:
    """A Markdown table line (``| a | b |``), header, rule or row."""
    return bool(_ROW.match(line))


def is_rule(line: str) -> bool:
    """The ``|---|:---:|`` line under a header."""
    parts = cells(line)
    return bool(parts) and all(_RULE_CELL.match(p.replace(" ", "")) for p in parts)


def row_sentence(headers: list[str], row: list[str]) -> str:
    """``label — header: value; header: value.`` (empty cells and those with a dash left out)."""
    label, values = row[0], row[1:]
    if label and headers and headers[0] and not re.search(r"[^\W\d_]", label):
        label = f"{headers[0]} {label}"  # "Zone 1", not a bare "1"
    pairs = [f"{h}: {v}" if h else v for h, v in zip(headers[1:], values, strict=False) if v and v not in _NO_VALUE]
    if not pairs:
        return label
    text = "; ".join(pairs)
    text = f"{label} — {text}" if label else text
    return text if text.endswith((".", "!", "?")) else text + "."


def _header_at(lines: list[str], i: int) -> bool:
    """Whether a table's header row (a row with the ``|---|`` line under it) starts at ``lines[i]``."""
    return (
        i + 1 < len(lines) and bool(_ROW.match(lines[i])) and bool(_ROW.match(lines[i + 1])) and is_rule(lines[i + 1])
    )


def split_rows(text: str) -> tuple[str, list[str]]:
    """(``text`` without its Markdown tables, each table row as a sentence that names its columns).

    A ``Table: caption`` line just above a table (pandoc's caption syntax; the loader writes an HTML
    ``<caption>`` so) leads each of its rows' labels: two tables of one page, "Quay Marina" and "Reach
    Marina", often differ only there.
    """
    lines = text.splitlines()
    rest: list[str] = []
    rows: list[str] = []
    i = 0
    while i < len(lines):
        if _header_at(lines, i):
            headers = cells(lines[i])
            i += 2
            caption = ""
            if rest and (found := _CAPTION.match(rest[-1])):
                caption = found.group(1).replace(", ", " ")  # one part of the label, as a group is
                rest.pop()
            group = ""
            while i < len(lines) and _ROW.match(lines[i]):
                if _header_at(lines, i):
                    break  # the next table's header: a splitter that drops blank lines leaves tables adjacent
                row = (cells(lines[i]) + [""] * len(headers))[: max(len(headers), 1)]
                if len(row) > 1 and row[0] and not any(row[1:]):
                    group = row[0]  # a row that only names a group ("Flex Plus") heads the rows below it
                elif any(row):
                    if row[0]:
                        row = [", ".join(p for p in (caption, group, row[0]) if p), *row[1:]]
                    rows.append(row_sentence(headers, row))
                i += 1
            continue
        rest.append(lines[i])
        i += 1
    return "\n".join(rest), rows


def html_table_as_markdown(table: Tag) -> str:
    """A BeautifulSoup ``<table>`` as a Markdown table (the first row with ``<th>`` cells, or the first row, is the header).

    Its ``<caption>``, if any, is a ``Table:`` line above it.
    """
    rows = []
    for tr in table.find_all("tr"):
        row = [" ".join(c.get_text(" ", strip=True).split()).replace("|", "\\|") for c in tr.find_all(["th", "td"])]
        if any(row):
            rows.append(row)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    caption = " ".join(table.caption.get_text(" ", strip=True).split()) if table.caption else ""
    lines = [f"Table: {caption}"] if caption else []
    lines += ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)
