"""Read files into LangChain ``Document``s: Markdown, text, PDF, HTML, JSON and JSONL.

Each document carries ``source``, ``title``, ``modified`` and ``file_hash``. HTML headings and tables become
Markdown headings and tables so the splitter can follow sections in every format that has them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from tools.checksums import sha256_file
from tools.jsonl import JSONLError, parse_lines
from tools.kb import tables
from tools.kb.errors import KBError

MARKDOWN = {".md", ".markdown", ".mdx"}
TEXT = {".txt", ".rst", ".text"}
HTML = {".html", ".htm"}
JSON = {".json", ".jsonl"}
PDF = {".pdf"}
SUPPORTED = MARKDOWN | TEXT | HTML | JSON | PDF
TEXT_FIELDS = ("text", "content", "body", "answer", "description")


def find_files(paths: list[str]) -> tuple[list[Path], list[Path]]:
    """(files to load, files skipped for their type). Folders are walked; a named file must be supported."""
    found: list[Path] = []
    skipped: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise KBError(f"{raw}: no such file or folder.")
        if path.is_file():
            if path.suffix.lower() not in SUPPORTED:
                raise KBError(
                    f"{raw}: unsupported file type {path.suffix or '(none)'}; supported: {', '.join(sorted(SUPPORTED))}."
                )
            found.append(path)
            continue
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                (found if child.suffix.lower() in SUPPORTED else skipped).append(child)
    return sorted(set(found)), skipped


def source_name(path: Path) -> str:
    """The path as stored: relative to the working folder when inside it, so collections move with a repo."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def load_file(path: Path) -> list[Document]:
    suffix = path.suffix.lower()
    try:
        if suffix in MARKDOWN or suffix in TEXT:
            texts: list[tuple[str, dict[str, Any]]] = [(path.read_text(encoding="utf-8"), {})]
        elif suffix in HTML:
            texts = [_html_to_markdown(path.read_text(encoding="utf-8", errors="replace"))]
        elif suffix in PDF:
            texts = list(_pdf_pages(path))
        else:
            texts = list(_json_records(path))
    except UnicodeDecodeError as exc:
        raise KBError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); convert it to UTF-8.") from None
    except KBError:
        raise
    except (OSError, ValueError) as exc:
        raise KBError(f"{path}: cannot be read ({exc}).") from None

    base = {
        "source": source_name(path),
        "modified": datetime.fromtimestamp(os.path.getmtime(path), tz=UTC).date().isoformat(),
        "file_hash": sha256_file(path),
        "format": suffix.lstrip("."),
    }
    docs = []
    for text, extra in texts:
        if not text.strip():
            continue
        meta = {**base, "title": extra.pop("title", "") or _title(text, path), **extra}
        docs.append(Document(page_content=text, metadata=meta))
    return docs


def _title(text: str, path: Path) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").replace("_", " ")


def _html_to_markdown(html: str) -> tuple[str, dict[str, Any]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "pre", "table", "blockquote"]):
        if el.name != "table" and el.find_parent("table") is not None:
            continue  # read with its table, row by row
        if el.name == "table":
            lines.append("\n" + tables.html_table_as_markdown(el) + "\n")
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name in {"h1", "h2", "h3", "h4"}:
            lines.append("\n" + "#" * int(el.name[1]) + " " + text)
        else:
            lines.append(("- " if el.name == "li" else "") + text)
    return "\n".join(lines).strip(), {"title": title}


def _pdf_pages(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        for number, page in enumerate(reader.pages, start=1):
            yield page.extract_text() or "", {"page": number}
    except PdfReadError as exc:
        raise KBError(f"{path}: not a readable PDF ({exc}).") from None


def _json_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    raw = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".jsonl":
        try:
            records = [value for _, value in parse_lines(raw.splitlines(), str(path))]
        except JSONLError as exc:
            raise KBError(str(exc)) from None
    else:
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise KBError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}).") from None
        records = data if isinstance(data, list) else [data]
    for number, record in enumerate(records):
        extra: dict[str, Any] = {"record": number}
        if isinstance(record, dict):
            if isinstance(record.get("title"), str):
                extra["title"] = record["title"]
            field = next((f for f in TEXT_FIELDS if isinstance(record.get(f), str)), None)
            text = record[field] if field else json.dumps(record, ensure_ascii=False, indent=1)
        else:
            text = record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
        yield text, extra
