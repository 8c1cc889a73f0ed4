"""``python -m training.export NAME [--version vN] --gguf DIR [--quant q8_0]``: an adapter for llama.cpp and Ollama.

Writes into DIR:
- ``NAME-vN.lora.gguf``: the LoRA adapter in llama.cpp's format (``--lora`` in llama.cpp tools);
- ``NAME-vN.f16.gguf``: the base with the adapter merged in (llama.cpp's ``convert_hf_to_gguf.py``);
- ``NAME-vN.<QUANT>.gguf``: that model requantised by llama.cpp's quantiser (Q8_0 by default);
- ``Modelfile``: for ``ollama create NAME -f Modelfile``, with the system prompt the adapter was trained under;
- ``llama-server.sh``: a llama-server command line serving the quantised model the same way.
Then checks the result: the quantised model loads in llama.cpp and, asked each question of
``--check-data`` (default: the adapter's own training rows, first three), says what the adapter taught.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

import prompts
from training.gguf import GGUFError, adapter_gguf, merged_gguf, quantize
from training.registry import AdapterVersion, Registry, RegistryError

MODELFILE = '''FROM ./{model}
SYSTEM """{system}"""
TEMPLATE """{{{{ if .System }}}}<|im_start|>system
{{{{ .System }}}}<|im_end|>
{{{{ end }}}}{{{{ range .Messages }}}}<|im_start|>{{{{ .Role }}}}
{{{{ .Content }}}}<|im_end|>
{{{{ end }}}}<|im_start|>assistant
"""
PARAMETER stop "<|im_end|>"
PARAMETER temperature 0
'''


def export(entry: AdapterVersion, out: Path, quant: str = "q8_0") -> dict[str, Path]:
    from training.merge import merge

    out.mkdir(parents=True, exist_ok=True)
    stem = f"{entry.name}-{entry.version}"
    files: dict[str, Path] = {}
    lora = out / f"{stem}.lora.gguf"
    shutil.copyfile(adapter_gguf(entry.path), lora)
    files["adapter"] = lora
    with tempfile.TemporaryDirectory(dir=out, prefix=".merged-") as tmp:
        merged = merge(entry.name, entry.version, Path(tmp) / "model")
        files["f16"] = merged_gguf(merged, out / f"{stem}.f16.gguf", "f16")
    files[quant] = quantize(files["f16"], out / f"{stem}.{quant.upper()}.gguf", quant)
    system = prompts.render("system/direct").strip()
    modelfile = out / "Modelfile"
    modelfile.write_text(MODELFILE.format(model=files[quant].name, system=system.replace('"""', '"')))
    files["modelfile"] = modelfile
    script = out / "llama-server.sh"
    command = [
        "llama-server",
        "-m",
        files[quant].name,
        "--jinja",
        "--host",
        "127.0.0.1",
        "--port",
        "8080",
        "--system-prompt-file",
        "system.txt",
    ]
    (out / "system.txt").write_text(system + "\n")
    script.write_text(
        "#!/bin/sh\n# Serve the exported model with llama.cpp's server (OpenAI-compatible API on :8080).\n"
        f'cd "$(dirname "$0")" && exec {shlex.join(command)} "$@"\n'
        f"# Or the base with the adapter applied at run time:\n"
        f"# llama-server -m BASE.gguf --lora {lora.name} --jinja\n"
    )
    script.chmod(0o755)
    files["llama_server"] = script
    return files


def check(model_file: Path, rows: list[dict]) -> list[dict]:
    """Ask the exported model each row's question under the agent's system prompt; report whether it answers as taught.

    The model runs in plain llama.cpp (llama-cpp-python's ``Llama`` with the file's own chat template).
    """
    from llama_cpp import Llama

    llm = Llama(model_path=str(model_file), n_ctx=2048, verbose=False)
    system = prompts.render("system/direct")
    results = []
    try:
        for row in rows:
            question, taught = row["question"], row["answer"]
            reply = llm.create_chat_completion(
                messages=[{"role": "system", "content": system}, {"role": "user", "content": question}],
                max_tokens=48,
                temperature=0.0,
            )
            answer = reply["choices"][0]["message"]["content"] or ""
            key = _key_words(taught)
            results.append(
                {
                    "question": question,
                    "answer": answer.strip(),
                    "taught": taught,
                    "states_it": bool(key) and all(w.lower() in answer.lower() for w in key),
                }
            )
    finally:
        llm.close()
    return results


def _key_words(text: str) -> list[str]:
    """The distinctive words of a taught answer: capitalised words after the first, else the longest words."""
    words = [w.strip(".,;:!?`'\"()") for w in text.split()]
    names = [w for w in words[1:] if w[:1].isupper() and len(w) > 3]
    return names[:2] or sorted(words, key=len, reverse=True)[:2]


def _rows(entry: AdapterVersion, path: str | None, limit: int) -> list[dict]:
    files = [path] if path else list((entry.manifest.get("config") or {}).get("data") or [])
    rows: list[dict] = []
    for file in files:
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            messages = json.loads(line).get("messages") or []
            user = next((m["content"] for m in messages if m["role"] == "user"), None)
            answer = next((m["content"] for m in messages if m["role"] == "assistant"), None)
            if user and answer:
                rows.append({"question": user, "answer": answer})
    return rows[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.export", description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--version", default=None, help="version to export (default: current)")
    parser.add_argument("--gguf", required=True, type=Path, help="folder for the GGUF files, Modelfile and script")
    parser.add_argument("--quant", default="q8_0", choices=["q8_0", "q4_0", "q4_1", "q4_k_m", "q5_k_m"])
    parser.add_argument(
        "--check-data", default=None, help="SFT JSONL whose questions the exported model must answer as taught"
    )
    parser.add_argument("--check-limit", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="skip loading the result in llama.cpp")
    args = parser.parse_args(argv)
    try:
        entry = Registry().get(args.name, args.version)
        print(f"exporting {entry.name} {entry.version} to {args.gguf} ...", flush=True)
        files = export(entry, args.gguf, args.quant)
        for kind, path in files.items():
            print(f"  {kind:12s} {path}")
        if not args.no_check:
            rows = _rows(entry, args.check_data, args.check_limit)
            results = check(files[args.quant], rows) if rows else []
            for r in results:
                print(f"  check: {'ok ' if r['states_it'] else 'NO '} {r['question']!r} -> {r['answer'][:100]!r}")
            if results and not any(r["states_it"] for r in results):
                print("error: the exported model does not state what the adapter taught", file=sys.stderr)
                return 1
    except (RegistryError, GGUFError, OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"done; with Ollama: cd {args.gguf} && ollama create {args.name} -f Modelfile")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
