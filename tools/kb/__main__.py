"""``python -m tools.kb ingest|search|list|drop``: manage knowledge-base collections from a shell.

Errors a user can fix (a full or read-only data folder among them) exit with status 2 and one line
saying what to do.
"""

from __future__ import annotations

import argparse
import json
import sys

from tools.disk import disk_message
from tools.kb.errors import KBError
from tools.settings import SettingsError, get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.kb", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="add or refresh files (folders are walked)")
    ing.add_argument("paths", nargs="+", help="files or folders: .md .txt .pdf .html .json .jsonl")
    ing.add_argument("--collection", default=None, help="collection name (default TAILOR_COLLECTION)")
    ing.add_argument("--tags", nargs="*", default=[], metavar="KEY=VALUE", help="metadata put on every chunk")
    ing.add_argument(
        "--cleanup",
        choices=["incremental", "full"],
        default="incremental",
        help="incremental: replace chunks of changed files; full: also remove files not in this run",
    )
    ing.add_argument("--chunk-size", type=int, default=800, help="characters per chunk (default 800)")
    ing.add_argument("--chunk-overlap", type=int, default=120, help="characters shared by neighbours (default 120)")
    ing.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    ing.add_argument("--progress", action="store_true", help="show progress bars even with --json on a pipe")

    src = sub.add_parser("search", help="retrieve chunks for a query")
    src.add_argument("query")
    src.add_argument("--collection", default=None)
    src.add_argument("--k", type=int, default=None)
    src.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE", help="metadata filter (repeatable)")
    src.add_argument("--search", choices=["similarity", "mmr"], default="similarity")
    src.add_argument("--dense-only", action="store_true", help="vectors only, no BM25")
    src.add_argument(
        "--answer-checks",
        action="store_true",
        help="as the agent searches: names and answering sentences first, nothing when nothing answers",
    )
    src.add_argument(
        "--min-relevance", type=float, default=None, help="cosine threshold (default TAILOR_MIN_RELEVANCE)"
    )
    src.add_argument("--json", action="store_true")

    lst = sub.add_parser("list", help="collections and their sizes")
    lst.add_argument("--json", action="store_true")

    drp = sub.add_parser("drop", help="delete a collection and its records")
    drp.add_argument("name")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (KBError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        message = disk_message(
            exc,
            get_settings().data_dir / "kb",
            "what was stored is consistent, and the next ingest adds only what is missing",
        )
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from tools.kb import store  # chromadb is imported only when a command runs

    collection = getattr(args, "collection", None) or get_settings().collection
    if args.command == "ingest":
        from tools.kb.ingest import ingest, parse_tags

        result = ingest(
            args.paths,
            collection,
            tags=parse_tags(args.tags),
            cleanup=args.cleanup,
            chunk_size=args.chunk_size,
            chunk_overlap=args.chunk_overlap,
            progress=args.progress or sys.stderr.isatty() or not args.json,
        )
        summary = result.as_dict()
        if args.json:
            print(json.dumps(summary))
        else:
            c = result.counts
            print(
                f"{collection}: {result.files} files, {result.chunks} chunks -> added {c['added']}, updated {c['updated']}, "
                f"skipped {c['skipped']}, deleted {c['deleted']}; neutralised {result.neutralised}"
            )
            if result.skipped_files:
                print(f"not ingested (unsupported type): {', '.join(result.skipped_files)}")
    elif args.command == "search":
        from tools.kb.filters import parse_args
        from tools.kb.retrieval import RetrievalOptions, retrieve

        options = RetrievalOptions(
            k=args.k or get_settings().k,
            search=args.search,
            hybrid=not args.dense_only,
            filters=parse_args(args.filter),
            answer_checks=args.answer_checks,
        )
        if args.min_relevance is not None:
            options.min_relevance = args.min_relevance
            options.__post_init__()
        found = retrieve(collection, args.query, options)
        if args.json:
            for n, hit in enumerate(found.hits, start=1):
                print(json.dumps({**hit.citation(n), "text": hit.text, "found_by": hit.found_by}))
            print(
                json.dumps(
                    {
                        "collection": collection,
                        "hits": len(found.hits),
                        "best_relevance": found.best_relevance,
                        "dropped": found.dropped,
                        "declined": found.declined,
                    }
                )
            )
        else:
            if not found.hits:
                print(
                    f"nothing in {collection!r} above relevance {options.min_relevance} (best {found.best_relevance})"
                )
            for n, hit in enumerate(found.hits, start=1):
                where = f"{hit.metadata.get('source')}" + (
                    f" > {hit.metadata['section']}" if hit.metadata.get("section") else ""
                )
                print(f"[{n}] {hit.relevance:.3f} {where}\n    {' '.join(hit.text.split())[:300]}")
    elif args.command == "list":
        infos = store.list_collections()
        if args.json:
            print(json.dumps([vars(i) for i in infos]))
        else:
            for info in infos:
                print(f"{info.name}\t{info.count} chunks\tembeddings={info.embeddings}")
            if not infos:
                print("no collections yet; add one with: python -m tools.kb ingest PATH --collection NAME")
    elif args.command == "drop":
        count = store.drop(args.name)
        print(f"dropped {args.name!r} ({count} chunks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
