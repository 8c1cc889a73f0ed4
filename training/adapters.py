"""``python -m training.adapters COMMAND``: list, show, promote, roll back, verify or remove adapter versions.

Commands: ``list [--json] | show NAME | promote NAME VERSION | rollback NAME
| verify [NAME [VERSION]] [--all] | remove NAME VERSION``.
"""

from __future__ import annotations

import argparse
import json
import sys

from training.registry import Registry, RegistryError, verify_files


def _verify(registry: Registry, names: list[str], version: str | None, load: bool) -> int:
    from training.verify import verify_loads

    failures = 0
    for name in names:
        versions = [version] if version else registry.versions(name)
        for v in versions:
            entry = registry.get(name, v)
            problems = verify_loads(entry) if load else verify_files(entry)
            status = "ok" if not problems else "FAILED"
            print(f"{name} {v}: {status}")
            for problem in problems:
                print(f"  - {problem}")
            failures += bool(problems)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.adapters", description="Manage registered LoRA adapters.")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="adapters with their current version")
    listing.add_argument("--json", action="store_true", help="one JSON object per adapter")
    show = sub.add_parser("show", help="one adapter's versions and the current manifest")
    show.add_argument("name")
    promote = sub.add_parser("promote", help="verify a version and make it current")
    promote.add_argument("name")
    promote.add_argument("version")
    promote.add_argument("--gate", default="", help="custom gate module:function to pass first")
    promote.add_argument(
        "--gate-suite", default="", help="eval suite (adapters, rag) it must not score worse on than current"
    )
    promote.add_argument("--gate-metric", default="token_f1")
    promote.add_argument("--gate-tolerance", type=float, default=0.02)
    promote.add_argument("--gate-limit", type=int, default=0, help="first N examples only (0: all)")
    promote.add_argument(
        "--gate-judge", default="", help="judge for the suite, e.g. reward:NAME (with --gate-metric judge_reward)"
    )
    rollback = sub.add_parser("rollback", help="make the previously current version current again")
    rollback.add_argument("name")
    verify = sub.add_parser("verify", help="check files, base and loading; exit 1 on any problem")
    verify.add_argument("name", nargs="?")
    verify.add_argument("version", nargs="?")
    verify.add_argument("--all", action="store_true", help="every version of every adapter")
    verify.add_argument("--files-only", action="store_true", help="check checksums only, do not load models")
    remove = sub.add_parser("remove", help="delete a version that is not current")
    remove.add_argument("name")
    remove.add_argument("version")
    args = parser.parse_args(argv)
    registry = Registry()
    try:
        if args.command == "list":
            for name in registry.names():
                info = registry.describe(name)
                if args.json:
                    print(
                        json.dumps(
                            {
                                "name": name,
                                "current": info["current"],
                                "versions": [v["version"] for v in info["versions"]],
                                "history": info["history"],
                            }
                        )
                    )
                else:
                    print(
                        f"{name}\tcurrent={info['current'] or '-'}\tversions={','.join(v['version'] for v in info['versions'])}"
                    )
            if not registry.names() and not args.json:
                print("no adapters yet; train one with `python -m training.sft --name NAME`")
            return 0
        if args.command == "show":
            info = registry.describe(args.name)
            if info["current"]:
                info["manifest"] = registry.get(args.name).manifest
            print(json.dumps(info, indent=2, default=str))
            return 0
        if args.command == "promote":
            from training.verify import eval_gate_options, verify_or_raise

            options = eval_gate_options(
                args.gate_suite, args.gate_metric, args.gate_tolerance, args.gate_limit, args.gate_judge
            )
            entry = registry.promote(
                args.name, args.version, check=lambda e: verify_or_raise(e, gate=args.gate, gate_options=options)
            )
            print(f"{entry.name} {entry.version} is current")
            from training.gguf import write_at_promotion

            write_at_promotion(entry.path)
            return 0
        if args.command == "rollback":
            entry = registry.rollback(args.name)
            print(f"{entry.name} {entry.version} is current")
            return 0
        if args.command == "verify":
            if args.all or not args.name:
                return _verify(registry, registry.names(), None, not args.files_only)
            return _verify(registry, [args.name], args.version, not args.files_only)
        if args.command == "remove":
            registry.remove(args.name, args.version)
            print(f"removed {args.name} {args.version}")
            return 0
    except RegistryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
