"""Find personal data and secrets, replace them with typed placeholders, and put them back.

Detectors: e-mail, phone numbers (international and common national formats), payment cards
(Luhn-checked), IBAN (mod-97-checked), US SSN, IPv4/IPv6, and secrets (common API-key and token
formats). ``redact`` returns the text with ``<EMAIL_1>``-style placeholders and a :class:`Vault`
that maps them back; text with nothing to hide comes back as the very same string.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

KINDS = ("SECRET", "EMAIL", "IBAN", "CARD", "SSN", "IP", "PHONE")  # checked in this order; first wins on overlap

_PATTERNS: dict[str, re.Pattern[str]] = {
    "SECRET": re.compile(
        r"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}"
        r"|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|lsv2_[a-z]{2}_[A-Za-z0-9_]{20,}|hf_[A-Za-z0-9]{30,}"
        r"|glpat-[A-Za-z0-9_-]{20}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
        r"|(?<=Bearer )[A-Za-z0-9._~+/-]{20,}=*"
        r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----"
    ),
    "EMAIL": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    "IBAN": re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b"),
    "CARD": re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])"),
    "SSN": re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"),
    "IP": re.compile(
        r"(?<![\w.:])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.])"
        r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?::[0-9A-Fa-f]{1,4})*(?![\w:])"
        r"|(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4})?(?:[:][0-9A-Fa-f]{1,4})*(?![\w:])"
    ),
    # Not inside a longer hyphenated run (INV-2024-0042-17, 2023-11-02-4471-9): those are identifiers.
    "PHONE": re.compile(
        r"(?<![\w+])(?<!\d-)(?<![A-Za-z]-)(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,5}(?:[ .-]\d{2,7}){1,4}(?!\w|-\d)"
        r"|(?<![\w+])\+\d{8,15}(?!\w)"
    ),
}


# An order or invoice number that starts with a date (2024-03-15-0117), not a phone.
_DATED_ID = re.compile(r"(?:19|20)\d\d([-./])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])\1\d+")


def luhn_ok(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        d = int(ch)
        if double:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
        double = not double
    return total % 10 == 0


def iban_ok(raw: str) -> bool:
    iban = raw.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34:
        return False
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in moved)
    return int(number) % 97 == 1


def _valid(kind: str, text: str) -> bool:
    if kind == "CARD":
        digits = re.sub(r"\D", "", text)
        return 13 <= len(digits) <= 19 and luhn_ok(digits)
    if kind == "IBAN":
        return iban_ok(text)
    if kind == "IP":
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        return not (address.is_loopback or address.is_unspecified)  # 127.0.0.1 and 0.0.0.0 identify nobody
    if kind == "PHONE":
        digits = re.sub(r"\D", "", text)
        # Dates, versions and plain numbers look like phones; require a phone's length and a
        # phone's shape (a leading + or parentheses, or at least three groups).
        groups = re.findall(r"\d+", text)
        if sum(len(g) == 4 for g in groups) >= 3 and not text.startswith("+"):
            return False  # 1234 5678 9012 3456: an account or card number's shape, not a phone's
        group_count = len(groups)
        national = text.startswith("0") and group_count == 2 and 10 <= len(digits) <= 11  # 07700 900123, 0171 1234567
        return (
            8 <= len(digits) <= 15
            and (text.startswith("+") or "(" in text or group_count >= 3 or national)
            and not re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{3}-\d{2}-\d{4}", text)
            and not _DATED_ID.match(text)
        )
    return True


@dataclass(frozen=True)
class Finding:
    """One item of personal data found in a text: its kind, where it is, and the text itself."""

    kind: str
    start: int
    end: int
    text: str


def find(text: str, kinds: tuple[str, ...] = KINDS) -> list[Finding]:
    """Every item of personal data in ``text``, left to right, without overlaps."""
    taken: list[Finding] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        for match in _PATTERNS[kind].finditer(text):
            value = match.group(0).strip()
            start = match.start() + match.group(0).index(value) if value else match.start()
            end = start + len(value)
            if not value or not _valid(kind, value):
                continue
            if any(start < f.end and f.start < end for f in taken):
                continue
            taken.append(Finding(kind, start, end, value))
    return sorted(taken, key=lambda f: f.start)


@dataclass
class Vault:
    """Placeholder <-> original value, for one run: the same value always gets the same placeholder."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    counters: dict[str, int] = field(default_factory=dict)

    def placeholder(self, kind: str, value: str) -> str:
        for key, original in self.values.items():
            if original == value and key.startswith(f"<{kind}_"):
                return key
        self.counters[kind] = self.counters.get(kind, 0) + 1
        key = f"<{kind}_{self.counters[kind]}>"
        self.values[key] = value
        return key

    def restore(self, text: str) -> str:
        """Put the originals back where the placeholders are (e.g. in an answer for the user)."""
        if not self.values:
            return text
        return re.sub(r"<[A-Z]+_\d+>", lambda m: self.values.get(m.group(0), m.group(0)), text)


def redact(text: str, vault: Vault | None = None, kinds: tuple[str, ...] = KINDS) -> tuple[str, Vault, list[Finding]]:
    """(text with placeholders, the vault, what was found). Unchanged text is returned as the same object."""
    vault = vault if vault is not None else Vault()
    findings = find(text, kinds)
    if not findings:
        return text, vault, []
    parts, cursor = [], 0
    for f in findings:
        parts += [text[cursor : f.start], vault.placeholder(f.kind, f.text)]
        cursor = f.end
    parts.append(text[cursor:])
    return "".join(parts), vault, findings
