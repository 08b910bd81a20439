"""The ``assistant`` command: ingest, ask, serve, mcp, facts, eval (see docs/CONTRACT.md).

Each command parses its arguments, calls the :class:`Assistant` and prints. User errors become
one line on standard error and the contract's exit status (1 for failed inputs, 2 for usage).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="assistant",
        description="Answer questions about the cloud market from your articles, with citations.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    index_help = "index folder (default: $ASSISTANT_INDEX or index/)"

    ingest = sub.add_parser("ingest", help="sync articles into the index")
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="folders or files (default: $ASSISTANT_CORPUS or corpus/)")
    ingest.add_argument("--index", metavar="DIR", help=index_help)
    ingest.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    ingest.add_argument("--watch", action="store_true", help="keep running and re-sync on every change")

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="?", metavar="QUESTION")
    ask.add_argument("--index", metavar="DIR", help=index_help)
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--history", metavar="FILE", help="JSON list of earlier {role, content} messages")
    ask.add_argument("--batch", metavar="FILE", help="JSON Lines of {id, question, history}; one answer per line")

    serve = sub.add_parser("serve", help="serve the web chat and the HTTP API")
    serve.add_argument("--index", metavar="DIR", help=index_help)
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 7860)")
    serve.add_argument("--watch", action="store_true", help="re-sync the corpus folder on every change")

    mcp = sub.add_parser("mcp", help="serve the MCP tools over stdio (for desktop MCP clients)")
    mcp.add_argument("--index", metavar="DIR", help=index_help)

    facts = sub.add_parser("facts", help="list the figures of the articles as data, with citations")
    facts.add_argument("--entity", metavar="E", help="who: a company or other name (any spelling the articles use)")
    facts.add_argument("--metric", metavar="M", help="what: share, revenue, growth, capex, backlog, ...")
    facts.add_argument("--period", metavar="P", help='when: "Q2 2025", "2025", "H1 2025", "FY25", ...')
    facts.add_argument("--scope", metavar="S", help="where: global, a country or region")
    facts.add_argument("--source", metavar="FILE", help="one article")
    facts.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (default table)")
    facts.add_argument("--limit", type=int, metavar="N", help="at most N facts")
    facts.add_argument("--index", metavar="DIR", help=index_help)

    ev = sub.add_parser("eval", help="score answers against a question set")
    ev.add_argument("qa_file", metavar="QA_FILE")
    ev.add_argument("--index", metavar="DIR", help=index_help)
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--k", type=int, default=8, help="depth for retrieval recall@k and MRR")
    return parser


def _open(args: argparse.Namespace, **overrides: Any) -> Any:
    from assistant.core import Assistant
    from assistant.settings import load_settings

    if getattr(args, "index", None):
        overrides["index"] = Path(args.index)
    return Assistant.open(load_settings(**overrides))


def cmd_ingest(args: argparse.Namespace) -> int:
    assistant = _open(args)
    paths = [Path(p) for p in args.paths] or [assistant.settings.corpus]
    summary = assistant.ingest(paths, progress=not args.json)
    _print_summary(summary.to_dict(), args.json)
    if args.watch:
        from assistant.watch import watch

        watch(assistant, paths, lambda s: _print_summary(s.to_dict(), args.json))
    return 1 if summary.failed else 0


def _print_summary(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(data), flush=True)
        return
    print(
        f"added {data['added']}, updated {data['updated']}, removed {data['removed']}, "
        f"unchanged {data['unchanged']}, skipped {data['skipped']}, failed {len(data['failed'])}; "
        f"index: {data['documents']} documents, {data['chunks']} chunks",
        flush=True,
    )
    for item in data["failed"]:
        print(f"  failed: {item['path']}: {item['error']}", file=sys.stderr)
    for item in data.get("skipped_files", []):
        print(f"  skipped: {item['path']}: {item['reason']}", file=sys.stderr)
    for item in data.get("duplicates", []):
        print(f"  duplicate: {item['path']} has the same content as {item['duplicate_of']}", file=sys.stderr)


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{what} file {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch and args.question:
        raise UsageError("assistant ask: give a QUESTION or --batch FILE, not both")
    if not args.batch and args.question is None:
        raise UsageError("assistant ask: a QUESTION or --batch FILE is required")
    history = _read_json(args.history, "history") if args.history else None
    if history is not None and not isinstance(history, list):
        raise UsageError(f"history file {args.history} must hold a JSON list of messages")
    if args.batch:
        try:
            lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read batch file {args.batch}: {exc.strerror}") from None
        assistant = _open(args)
        status = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            qid: Any = None
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise AssistantError("each line must be a JSON object")
                qid = item.get("id")
                answer = assistant.ask(item.get("question"), item.get("history"), item.get("filters"), id=qid)
                print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
            except json.JSONDecodeError as exc:
                status = 1
                print(json.dumps({"id": None, "error": f"line {number}: invalid JSON: {exc.msg}"}), flush=True)
            except AssistantError as exc:
                status = 1
                print(json.dumps({"id": qid, "error": str(exc)}, ensure_ascii=False), flush=True)
            except Exception as exc:  # a fault answering one question must not lose the answers to the rest
                status = 1
                traceback.print_exc(file=sys.stderr)
                print(json.dumps({"id": qid, "error": f"line {number}: internal error: {type(exc).__name__}: {exc}"},
                                 ensure_ascii=False), flush=True)
        return status
    assistant = _open(args)
    answer = assistant.ask(args.question, history)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(answer.answer)
        if answer.citations:
            print()
        for c in answer.citations:
            where = ", ".join(x for x in (c.publisher, c.date) if x)
            print(f"[{c.n}] {c.title} ({where}) {c.source}:{c.start}-{c.end}")
            print(f"    \"{c.quote}\"")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    from assistant.api import listen_socket, serve
    from assistant.settings import load_settings

    settings = load_settings(**overrides)
    sock = listen_socket(settings.host, settings.port)  # a taken port is reported before the model loads
    assistant = _open(args, **overrides)
    serve(assistant, watch=args.watch, sock=sock)
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    import logging

    # Standard output carries the MCP protocol only: logs and warnings go to standard error.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    from assistant.mcp_server import run_stdio

    run_stdio(_open(args))
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    from assistant.facts import format_table, to_csv

    result = _open(args).facts(
        entity=args.entity, metric=args.metric, period=args.period, scope=args.scope, source=args.source, limit=args.limit
    )
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(to_csv(result["facts"]))
    else:
        print(format_table(result))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import evaluate, format_report, load_questions

    questions = load_questions(Path(args.qa_file))
    assistant = _open(args)
    report = evaluate(assistant, questions, k=args.k)
    print(json.dumps(report) if args.json else format_report(report))
    return 0


COMMANDS = {
    "ingest": cmd_ingest, "ask": cmd_ask, "serve": cmd_serve, "mcp": cmd_mcp, "facts": cmd_facts, "eval": cmd_eval,
}


def app(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``assistant`` console script; returns the exit status."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return COMMANDS[args.command](args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def main() -> None:
    _limit_malloc_arenas()
    sys.exit(app())


def _limit_malloc_arenas() -> None:
    """At most two glibc malloc arenas in the assistant's own processes.

    By default every thread (Chroma's and torch's) gets an arena that keeps what it freed: a
    ``serve`` that reloads the index after other processes' writes grew by ~15 MB per reload
    that way (measured, 10k chunks), against a flat +35 MB over 16 reloads with two arenas.
    """
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        import contextlib
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc: leave malloc alone
            ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX


if __name__ == "__main__":
    main()
