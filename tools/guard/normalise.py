"""Undo the disguises attackers put on text before the rules read it.

- NFKC folds full-width and stylised letters; a small table maps common Cyrillic/Greek look-alikes
  to Latin; format characters (zero-width, bidi controls, soft hyphen) are removed.
- Letter-by-letter spacing ("i g n o r e") is joined, and leetspeak ("1gn0r3") read as letters.
- Encoded payloads (base64, hex, rot13) are decoded, and the text is also read backwards, so the
  scanners can read them too.

The scanners read ``variants(text)``; what is redacted or shown is always the original.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse

_INVISIBLE = {"Cf"}
# Look-alikes NFKC leaves alone (Cyrillic and Greek letters that render like Latin ones).
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "І": "I",
        "Ѕ": "S",
        "Ј": "J",
        "Ү": "Y",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "α": "a",
        "ο": "o",
        "ρ": "p",
        "ν": "v",
        "Ι": "I",
        "Ο": "O",
        "Α": "A",
        "Ε": "E",
        "Τ": "T",
    }
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_SPACED = re.compile(r"\b(?:[A-Za-z][ .\-_*]){2,}[A-Za-z]\b")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[ :]?){8,}\b")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
MIN_PERCENT_ESCAPES = 3  # "50% off" is not URL encoding; "write%20working%20..." is
# Words so common that any English sentence has some: rot13 of English has almost none, so a rot13 reading
# is kept only where it reads as English and the text as written does not.
_COMMON = frozenset("the a an to of and in is it you i my how do what for on with can me this that".split())
_WORD = re.compile(r"[A-Za-z']+")
_STRETCH = re.compile(r"[:\n]|(?<=[.?!])\s")
ENGLISH_SHARE = 0.15
MIN_ROT13_WORDS = 4
_LEET_WORD = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[013457@$!])[\w@$!]{3,}\b")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).translate(_CONFUSABLES)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in _INVISIBLE)


_DOTTED_WORD = re.compile(r"(?<!\S)(?:[A-Za-z][.\-_*]){2,}[A-Za-z][.\-_*]?(?!\S)")


def _join_spaced(text: str) -> str:
    # Letters split by dots inside a word ("i.g.n.o.r.e a.l.l") are joined word by word first, so
    # the spaces between words survive; then runs spaced letter by letter are joined.
    text = _DOTTED_WORD.sub(lambda m: re.sub(r"[.\-_*]", "", m.group(0)), text)
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


def _deleet(text: str) -> str:
    return _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)


def _printable(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(ch.isalpha() or ch.isspace() for ch in decoded)
    return decoded if decoded and letters / len(decoded) > 0.8 else None


def decoded_payloads(text: str) -> list[str]:
    """Readable text hidden in base64 or hex runs."""
    found = []
    for match in _BASE64.finditer(text):
        chunk = match.group(0)
        try:
            raw = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        if (decoded := _printable(raw)) is not None:
            found.append(decoded)
    for match in _HEX.finditer(text):
        try:
            raw = bytes.fromhex(re.sub(r"[ :]", "", match.group(0)))
        except ValueError:
            continue
        if (decoded := _printable(raw)) is not None:
            found.append(decoded)
    return found


def _common_share(text: str) -> float:
    words = _WORD.findall(text.lower())
    return sum(w in _COMMON for w in words) / len(words) if words else 0.0


def hidden_readings(text: str) -> list[str]:
    """What a disguised request says, for readers that do not try every variant.

    Base64 and hex decoded, letters spelled out one by one joined, URL escapes undone, and each stretch in
    rot13 that reads as English once turned back (beside the plain words that ask for it to be decoded).
    """
    found = decoded_payloads(text)
    joined = _join_spaced(text)
    if joined != text:
        found.append(joined)
    if len(_PERCENT.findall(text)) >= MIN_PERCENT_ESCAPES:
        found.append(urllib.parse.unquote(text))
    for stretch in _STRETCH.split(text):
        turned = codecs.decode(stretch, "rot13")
        if len(_WORD.findall(stretch)) >= MIN_ROT13_WORDS and _common_share(stretch) < ENGLISH_SHARE <= _common_share(
            turned
        ):
            found.append(turned.strip())
    return found


def variants(text: str) -> list[str]:
    """Every reading of ``text`` a scanner should check: normalised, de-spaced, de-leeted, rot13, reversed, hidden."""
    base = normalise(text)
    # Look-alike folding would break real Cyrillic/Greek words, so the text is also read without it;
    # digits are read as letters throughout once more, for leetspeak with all-digit words ("45" = "as").
    plain = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) not in _INVISIBLE)
    joined = _join_spaced(base)
    out = [base, joined, _deleet(joined), joined.translate(_LEET), codecs.decode(base, "rot13"), base[::-1], plain]
    # what the learned layer reads as well: decoded payloads, URL escapes undone, rot13 stretches
    out += [normalise(h) for h in hidden_readings(base)]
    return list(dict.fromkeys(out))
