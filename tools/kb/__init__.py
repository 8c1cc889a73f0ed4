"""The knowledge base: files -> chunks -> Chroma, and hybrid retrieval back out.

Usable without the graph: ``python -m tools.kb ingest|search|list|drop``.
"""

from tools.kb.errors import KBError

__all__ = ["KBError"]
