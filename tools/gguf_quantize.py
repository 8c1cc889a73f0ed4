"""Requantise a GGUF model file with llama.cpp's own quantiser (``llama_model_quantize``), written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

# llama.cpp's file types (enum llama_ftype) by the names its tools use.
FILE_TYPES = {"f16": 1, "q4_0": 2, "q4_1": 3, "q8_0": 7, "q4_k_m": 15, "q5_k_m": 17}


class QuantizeError(RuntimeError):
    """llama.cpp could not quantise the file; the message says which and to what."""


def quantize(source: Path, out: Path, kind: str, threads: int = 0) -> Path:
    import llama_cpp

    if kind not in FILE_TYPES:
        raise QuantizeError(f"unknown quantisation {kind!r}; use one of {', '.join(FILE_TYPES)}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype, params.allow_requantize = FILE_TYPES[kind], True
    params.nthread = threads or (os.cpu_count() or 1)
    partial = out.with_name(f".{out.name}.partial")
    try:
        if llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(), params) != 0:
            raise QuantizeError(f"llama.cpp could not quantise {source} to {kind}")
        partial.rename(out)  # the file appears only when complete
    finally:
        partial.unlink(missing_ok=True)
    return out
