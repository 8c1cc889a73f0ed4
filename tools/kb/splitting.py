"""Split documents into chunks: by Markdown headers first, then by size with overlap.

Tables are rewritten first so that each row names its columns (:mod:`tools.kb.tables`).

Each chunk gets ``section`` ("Title > Subsection"), ``chunk`` (its position in the file),
``content_hash`` and, where it names a period its page defines ("Peak 2026"), ``periods`` (:mod:`tools.kb.periods`).
"""

from __future__ import annotations

import hashlib

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from tools.kb import periods, tables

HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
MARKDOWN_FORMATS = {"md", "markdown", "mdx", "html", "htm"}


def split(docs: list[Document], chunk_size: int, chunk_overlap: int) -> list[Document]:
    by_headers = MarkdownHeaderTextSplitter(HEADERS, strip_headers=False)
    by_size = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    chunks: list[Document] = []
    counters: dict[str, int] = {}
    for doc in docs:
        markdown = doc.metadata.get("format") in MARKDOWN_FORMATS
        defined = periods.definitions(doc.page_content)
        if markdown:
            sections = by_headers.split_text(doc.page_content)
        else:
            sections = [Document(page_content=doc.page_content)]
        for section in sections:
            heading = " > ".join(section.metadata[key] for _, key in HEADERS if key in section.metadata)
            prose, rows = tables.split_rows(section.page_content) if markdown else (section.page_content, [])
            under = next((section.metadata[key] for _, key in reversed(HEADERS) if key in section.metadata), "")
            pieces = by_size.split_text(prose) if prose.strip(" \n#") and not _only_headings(prose) else []
            pieces += [f"## {under}\n{row}" if under else row for row in rows]  # a row is a chunk, under its heading
            for piece in pieces:
                source = doc.metadata["source"]
                number = counters.get(source, 0)
                counters[source] = number + 1
                meta = {
                    **doc.metadata,
                    "section": heading,
                    "chunk": number,
                    "content_hash": hashlib.sha256(piece.encode()).hexdigest(),
                }
                named = periods.named_in(f"{heading}\n{piece}", defined)
                if named:
                    meta["periods"] = " ".join(named)
                chunks.append(Document(page_content=piece, metadata=meta))
    return chunks


def _only_headings(text: str) -> bool:
    return all(line.lstrip().startswith("#") for line in text.splitlines() if line.strip())
