"""A short description of the machine a benchmark ran on, saved with its results."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def describe() -> dict[str, object]:
    import torch

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def save_result(
    kind: str, figures: dict[str, object], headline: dict[str, object] | None = None, as_json: bool = False
) -> Path:
    """Write ``bench/results/<kind>-<time>.json`` with the machine's description.

    With ``as_json`` end the output with one line of ``headline`` (default: the figures).
    """
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"machine": describe(), **figures}, indent=1))
    print(f"saved {out}", file=sys.stderr)
    if as_json:
        print(json.dumps(figures if headline is None else headline))
    return out
