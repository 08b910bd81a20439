"""Keep the index in step with article folders while they change (``ingest --watch``, ``serve --watch``).

A watcher (``watchfiles``: inotify, FSEvents or polling) reports changes; they are gathered for a
short quiet period so a burst (a copy, an editor's save, an upload's temp file then rename) gives
one sync, and each sync is the ordinary :meth:`Assistant.ingest`, which embeds only what changed.
Hidden and temporary files are ignored. Errors are logged and the watcher keeps going.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from watchfiles import Change

    from assistant.core import Assistant
    from assistant.types import IngestSummary

log = logging.getLogger(__name__)

OnSync = Callable[["IngestSummary"], None]

QUIET_MS = 400  # a sync starts once no change was seen for this long...
MAX_WAIT_MS = 3000  # ...or at the latest this long after the first change of a burst
RETRY_S = 2.0  # pause before watching again after the watcher itself failed
TEMP_SUFFIXES = (".part", ".tmp", ".temp", ".swp", ".swx", ".crdownload", "~")


class _Targets:
    """What is watched: folders recursively, single files through their parent folder."""

    def __init__(self, paths: Sequence[Path], index: Path) -> None:
        self.paths = [Path(p).absolute() for p in paths]
        # A target that does not exist yet counts as a file when its name has a suffix.
        self.files = [p for p in self.paths if p.is_file() or (not p.exists() and p.suffix)]
        self.index = index.absolute()

    def roots(self) -> list[Path]:
        """Existing folders to hand to the watcher; a missing target is looked for again later.

        Never a missing target's grandparent: watching, say, the whole working directory
        recursively because ``corpus/`` is not there yet would cost more than it helps.
        """
        roots = {path.parent if path in self.files else path for path in self.paths}
        return sorted(root for root in roots if root.is_dir())

    def recursive(self) -> bool:
        """Folders are watched with their subfolders; a file's folder alone is enough for files."""
        return any(path not in self.files for path in self.paths)

    def relevant(self, change: Change, raw: str) -> bool:
        """True for a change to an article: not hidden, not temporary, not inside the index."""
        path = Path(raw)
        if path == self.index or self.index in path.parents:
            return False
        for target in self.paths:
            if path == target or target in path.parents:
                parts = path.relative_to(target).parts or (path.name,)
                return not any(_ignored_name(part) for part in parts)
        return False


def _ignored_name(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(TEMP_SUFFIXES) or name.startswith("~$")


def sync_once(assistant: Assistant, targets: _Targets, on_sync: OnSync | None = None) -> IngestSummary | None:
    """One re-sync: ingest what exists, forget watched single files that vanished; never raises."""
    try:
        present = [p for p in targets.paths if p.exists()]
        missing = [p for p in targets.files if not p.exists() and not p.is_symlink()]
        summary = assistant.ingest(present) if present else None
        if missing:
            with assistant.write_lock():
                gone = assistant.indexer.forget_files(missing)
            assistant.searcher.refresh()
            summary = gone if summary is None else _merge(summary, gone)
        if summary is not None and on_sync is not None:
            on_sync(summary)
        return summary
    except AssistantError as exc:
        log.warning("re-sync failed: %s", exc)
    except Exception:
        log.exception("re-sync failed")
    return None


def _merge(first: IngestSummary, second: IngestSummary) -> IngestSummary:
    first.removed += second.removed
    first.documents, first.chunks = second.documents, second.chunks
    return first


def watch(
    assistant: Assistant,
    paths: Sequence[str | Path] | None = None,
    on_sync: OnSync | None = None,
    stop_event: threading.Event | None = None,
) -> None:
    """Re-sync ``paths`` (default: the corpus folder) on every change until stopped or interrupted."""
    from watchfiles import watch as watch_changes

    stop = stop_event or threading.Event()
    targets = _Targets([Path(p) for p in (paths or [assistant.settings.corpus])], assistant.settings.index)
    log.info("watching %s", ", ".join(str(p) for p in targets.paths))
    previous: list[Path] | None = None
    failed = False
    while not stop.is_set():
        roots = targets.roots()
        if failed or (previous is not None and roots != previous):
            sync_once(assistant, targets, on_sync)  # changes may have been missed meanwhile
        previous, failed = roots, False
        if not roots:
            stop.wait(RETRY_S)  # nothing there yet to watch
            continue
        try:
            for changes in watch_changes(
                *roots,
                watch_filter=targets.relevant,
                debounce=MAX_WAIT_MS,
                step=QUIET_MS,
                stop_event=stop,
                rust_timeout=int(RETRY_S * 1000),
                yield_on_timeout=True,  # wakes up now and then to notice folders appearing
                raise_interrupt=stop_event is None,
                recursive=targets.recursive(),
                ignore_permission_denied=True,
            ):
                if changes:
                    sync_once(assistant, targets, on_sync)
                if targets.roots() != roots:
                    break  # a watched folder appeared or vanished: watch the new set
        except KeyboardInterrupt:
            return
        except Exception:
            log.exception("file watcher failed; restarting in %g s", RETRY_S)
            failed = True
            stop.wait(RETRY_S)


def start_watching(
    assistant: Assistant,
    paths: Sequence[str | Path] | None = None,
    on_sync: OnSync | None = None,
) -> Callable[[], None]:
    """Watch in a daemon thread; returns a function that stops it (and waits for it briefly)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(assistant, paths, on_sync, stop), name="assistant-watch", daemon=True
    )
    thread.start()

    def stop_watching() -> None:
        stop.set()
        thread.join(timeout=15)

    return stop_watching
