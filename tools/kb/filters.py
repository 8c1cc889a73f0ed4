"""Metadata filters: ``key=value`` arguments or a mapping from a run's context -> a Chroma ``where``."""

from __future__ import annotations

from typing import Any

from tools.kb.errors import KBError

OPERATORS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"}
NUMERIC_KEYS = {"chunk", "page", "record"}
BOOL_KEYS = {"neutralised"}
Scalar = (str, int, float, bool)


def parse_args(items: list[str]) -> dict[str, Any]:
    """``["team=support", "page=3"]`` -> ``{"team": "support", "page": 3}`` (tags stay strings)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise KBError(f"filter {item!r} must look like key=value, e.g. --filter source=docs/rag.md.")
        if key in NUMERIC_KEYS:
            try:
                out[key] = int(value)
            except ValueError:
                raise KBError(f"filter {item!r}: {key} is a whole number.") from None
        elif key in BOOL_KEYS:
            out[key] = value.strip().lower() in {"1", "true", "yes"}
        else:
            out[key] = value
    return out


def to_where(filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """Validate and translate; ``None`` when there is nothing to filter on."""
    if not filters:
        return None
    if not isinstance(filters, dict):
        raise KBError('filters must be a mapping such as {"source": "docs/rag.md"}.')
    clauses = []
    for key, value in filters.items():
        if not isinstance(key, str) or not key or key.startswith("$"):
            raise KBError(f"filter key {key!r} must be a metadata field name such as 'source' or a tag.")
        clauses.append({key: _check_value(key, value)})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _check_value(key: str, value: Any) -> Any:
    if isinstance(value, Scalar):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((op, operand),) = value.items()
        if op not in OPERATORS:
            raise KBError(f"filter {key!r}: unknown operator {op!r}; use one of {', '.join(sorted(OPERATORS))}.")
        if op in {"$in", "$nin"}:
            if not isinstance(operand, list) or not operand or not all(isinstance(v, Scalar) for v in operand):
                raise KBError(f"filter {key!r}: {op} takes a non-empty list of strings or numbers.")
        elif not isinstance(operand, Scalar):
            raise KBError(f"filter {key!r}: {op} takes a string or a number.")
        return value
    raise KBError(
        f"filter {key!r} has value {value!r}; use a string, number or boolean, or one operator such as "
        '{"$in": ["a", "b"]}.'
    )
