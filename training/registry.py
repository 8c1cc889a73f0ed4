"""The adapter registry: ``TAILOR_DATA_DIR/adapters/<name>/<version>/``.

Each version holds peft's files and ``manifest.json``. ``<name>/pointer.json`` says which
version is ``current`` and which were current before (for rollback). Versions are written
to a staging folder and renamed into place when complete, and the pointer is replaced with
``os.replace``: a crash at any moment leaves the previous ``current`` intact and never
leaves half an adapter under a version name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.checksums import sha256_file
from tools.settings import get_settings

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MANIFEST = "manifest.json"
POINTER = "pointer.json"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


class RegistryError(RuntimeError):
    """A registry operation that cannot be done; the message says why and what to do."""


def adapters_root() -> Path:
    return get_settings().data_dir / "adapters"


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise RegistryError(f"adapter name {name!r} is not valid; use letters, digits, '.', '_' or '-' (at most 64).")
    return name


def _write_json_atomic(path: Path, data: Any) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        json.dump(data, tmp, indent=2, sort_keys=True, default=str)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)


@dataclass(frozen=True)
class AdapterVersion:
    """One saved version of an adapter: its name, version and folder."""

    name: str
    version: str
    path: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / MANIFEST).read_text())


class Registry:
    """The adapter registry: every adapter's versions on disk and which one is current."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or adapters_root()

    # -- reading ---------------------------------------------------------------------
    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def versions(self, name: str) -> list[str]:
        folder = self.root / check_name(name)
        if not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"v\d+", p.name)]
        return sorted(found, key=lambda v: int(v[1:]))

    def pointer(self, name: str) -> dict[str, Any]:
        path = self.root / check_name(name) / POINTER
        if not path.is_file():
            return {"current": None, "history": []}
        return json.loads(path.read_text())

    def current(self, name: str) -> AdapterVersion | None:
        version = self.pointer(name).get("current")
        return AdapterVersion(name, version, self.root / name / version) if version else None

    def get(self, name: str, version: str | None = None) -> AdapterVersion:
        if version is None:
            found = self.current(name)
            if found is None:
                known = ", ".join(self.names()) or "none yet"
                raise RegistryError(
                    f"no current version of adapter {name!r}; registered adapters: {known}. "
                    "Train one with `python -m training.sft --name NAME` or promote a version."
                )
            return found
        if version not in self.versions(name):
            raise RegistryError(
                f"adapter {name!r} has no version {version!r}; versions: {', '.join(self.versions(name)) or 'none'}."
            )
        return AdapterVersion(name, version, self.root / name / version)

    def describe(self, name: str) -> dict[str, Any]:
        pointer = self.pointer(name)
        versions = []
        for version in self.versions(name):
            try:
                manifest = AdapterVersion(name, version, self.root / name / version).manifest
            except (OSError, json.JSONDecodeError):
                manifest = {}
            versions.append(
                {
                    "version": version,
                    "created": manifest.get("created"),
                    "kind": manifest.get("kind"),
                    "base_model": manifest.get("base_model", {}).get("id"),
                    "final_train_loss": manifest.get("metrics", {}).get("final_train_loss"),
                }
            )
        return {
            "name": name,
            "current": pointer.get("current"),
            "history": pointer.get("history", []),
            "versions": versions,
        }

    # -- writing ---------------------------------------------------------------------
    def stage(self, name: str) -> Path:
        """A fresh staging folder for a version being written (invisible until committed)."""
        folder = self.root / check_name(name)
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".staging-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        return staging

    def commit(self, name: str, staging: Path, manifest: dict[str, Any]) -> AdapterVersion:
        """Record file checksums, then rename the staging folder into the next version."""
        missing = [f for f in ADAPTER_FILES if not (staging / f).is_file()]
        if missing:
            raise RegistryError(f"staged adapter in {staging} lacks {', '.join(missing)}; nothing was registered.")
        manifest = dict(manifest)
        manifest["files"] = {
            f.name: sha256_file(f) for f in sorted(staging.iterdir()) if f.is_file() and f.name != MANIFEST
        }
        _write_json_atomic(staging / MANIFEST, manifest)
        existing = self.versions(name)
        number = int(existing[-1][1:]) + 1 if existing else 1
        while True:
            target = self.root / name / f"v{number}"
            try:
                staging.rename(target)  # atomic; fails if another writer took the number
                break
            except OSError:
                number += 1
        return AdapterVersion(name, target.name, target)

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def promote(self, name: str, version: str, check: Callable[[AdapterVersion], None] | None = None) -> AdapterVersion:
        """Make ``version`` current after ``check`` (verification, eval gate) passes."""
        entry = self.get(name, version)
        if check is not None:
            check(entry)
        pointer = self.pointer(name)
        history = [v for v in pointer.get("history", []) if v != version]
        if pointer.get("current") and pointer["current"] != version:
            history.append(pointer["current"])
        _write_json_atomic(self.root / name / POINTER, {"current": version, "history": history})
        return entry

    def rollback(self, name: str) -> AdapterVersion:
        pointer = self.pointer(name)
        history = [v for v in pointer.get("history", []) if v in self.versions(name)]
        if not history:
            raise RegistryError(f"adapter {name!r} has no earlier promoted version to roll back to.")
        previous = history.pop()
        _write_json_atomic(self.root / name / POINTER, {"current": previous, "history": history})
        return self.get(name, previous)

    def remove(self, name: str, version: str) -> None:
        entry = self.get(name, version)
        pointer = self.pointer(name)
        if pointer.get("current") == version:
            raise RegistryError(f"{name} {version} is current; promote or roll back to another version first.")
        if version in pointer.get("history", []):
            pointer["history"] = [v for v in pointer["history"] if v != version]
            _write_json_atomic(self.root / name / POINTER, pointer)
        trash = entry.path.with_name(f".removing-{version}-{uuid.uuid4().hex[:6]}")
        entry.path.rename(trash)  # disappears from listings at once, then is deleted
        shutil.rmtree(trash, ignore_errors=True)


def verify_files(entry: AdapterVersion) -> list[str]:
    """Problems with a version's files (empty list: fine). Cheap: no model is loaded."""
    problems = []
    try:
        manifest = entry.manifest
    except FileNotFoundError:
        return [f"{entry.path}: no {MANIFEST}"]
    except json.JSONDecodeError as err:
        return [f"{entry.path / MANIFEST}: not valid JSON ({err.msg})"]
    for filename, expected in (manifest.get("files") or {}).items():
        path = entry.path / filename
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256_file(path) != expected:
            problems.append(f"{path}: checksum differs from the manifest (corrupted or changed)")
    for filename in ADAPTER_FILES:
        if filename not in (manifest.get("files") or {}):
            problems.append(f"{entry.path}: manifest does not list {filename}")
    try:
        from safetensors import safe_open

        with safe_open(str(entry.path / "adapter_model.safetensors"), "pt") as handle:
            list(handle.keys())
    except Exception as err:  # noqa: BLE001 - any failure to read means a broken file
        problems.append(f"{entry.path / 'adapter_model.safetensors'}: unreadable ({err})")
    return problems
