"""Property test: any sequence of file changes and syncs leaves the index equal to the folder.

A hypothesis state machine adds, edits, deletes, renames and duplicates small articles and syncs.
After every sync the index holds exactly the folder's articles (a duplicate once), every chunk
belongs to its file's current content, no id repeats, and the summary counts agree with how the
set of indexed documents changed. At the end the index, reopened in a new process, retrieves the
same passages as in this one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from assistant import Assistant
from tests.test_sync import assert_index_matches, expected_index, index_groups

SENTENCES = [
    "Alibaba Cloud held 4% of the global cloud market in Q2 2025.",
    "AWS remained the largest provider with about 30% of spending.",
    "Microsoft Azure grew faster than the market as a whole.",
    "Google Cloud gained share on the back of AI workloads.",
    "Oracle reported a backlog of contracted revenue worth $455 billion.",
    "European buyers asked for sovereign cloud offerings.",
    "Spending on cloud infrastructure passed $99 billion in the quarter.",
    "Smaller providers rented out GPUs for training and inference.",
    "Analysts expected capital expenditure to keep rising in 2026.",
    "Data centre construction was limited by power supply.",
]
NAMES = ["alpha.md", "beta.md", "gamma.txt", "delta.md", "notes/epsilon.md", "notes/zeta.txt"]
QUERIES = ["Who is the largest cloud provider?", "How big is Oracle's backlog?"]
MACHINE_SETTINGS = settings(
    max_examples=8,
    stateful_step_count=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

THEN_SYNC = st.sampled_from([True, True, False])  # mostly sync after a change; sometimes let changes pile up
articles = st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=8).map(
    lambda picks: "\n\n".join(
        " ".join(SENTENCES[i] for i in picks[k : k + 2]) for k in range(0, len(picks), 2)
    )
)


class Run:
    """Where the examples work; the last example's folder and index outlive it for the final check."""

    base: Path = Path(tempfile.gettempdir())
    last: ClassVar[dict[str, Any]] = {}


class IndexMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(dir=Run.base))
        self.folder = self.root / "corpus"
        self.folder.mkdir()
        self.assistant = Assistant.open(index=self.root / "index", corpus=self.folder)
        self.indexed: dict[str, str] = {}  # source -> doc_hash after the last sync

    def files(self) -> list[str]:
        return sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*") if p.is_file())

    def write(self, name: str, body: str) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        title = f"# {Path(name).stem.title()}\n\n" if name.endswith(".md") else ""
        path.write_text(f"{title}{body}\n", encoding="utf-8")

    @rule(name=st.sampled_from(NAMES), body=articles, then_sync=THEN_SYNC)
    def add(self, name: str, body: str, then_sync: bool) -> None:
        self.write(name, body)
        self.maybe_sync(then_sync)

    @precondition(lambda self: self.files())
    @rule(data=st.data(), extra=st.sampled_from(SENTENCES), then_sync=THEN_SYNC)
    def edit(self, data: st.DataObject, extra: str, then_sync: bool) -> None:
        name = data.draw(st.sampled_from(self.files()))
        path = self.folder / name
        path.write_text(path.read_text(encoding="utf-8") + f"\n{extra}\n", encoding="utf-8")
        self.maybe_sync(then_sync)

    @precondition(lambda self: self.files())
    @rule(data=st.data(), then_sync=THEN_SYNC)
    def delete(self, data: st.DataObject, then_sync: bool) -> None:
        (self.folder / data.draw(st.sampled_from(self.files()))).unlink()
        self.maybe_sync(then_sync)

    @precondition(lambda self: self.files() and len(self.files()) < len(NAMES))
    @rule(data=st.data(), then_sync=THEN_SYNC)
    def rename(self, data: st.DataObject, then_sync: bool) -> None:
        files = self.files()
        old = data.draw(st.sampled_from(files))
        new = data.draw(st.sampled_from([n for n in NAMES if n not in files and Path(n).suffix == Path(old).suffix]
                                        or [n for n in NAMES if n not in files]))
        target = self.folder / new
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.folder / old).rename(target)
        self.maybe_sync(then_sync)

    @precondition(lambda self: self.files() and len(self.files()) < len(NAMES))
    @rule(data=st.data(), then_sync=THEN_SYNC)
    def duplicate(self, data: st.DataObject, then_sync: bool) -> None:
        files = self.files()
        old = data.draw(st.sampled_from(files))
        new = data.draw(st.sampled_from([n for n in NAMES if n not in files]))
        target = self.folder / new
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.folder / old, target)
        self.maybe_sync(then_sync)

    def maybe_sync(self, then_sync: bool) -> None:
        if then_sync:
            self.sync()

    @rule()
    def sync(self) -> None:
        before = self.indexed
        summary = self.assistant.ingest([self.folder])
        assert summary.failed == []
        assert_index_matches(self.assistant, self.folder)
        after = {source: next(iter(by_hash)) for source, by_hash in index_groups(self.assistant.store).items()}
        self.indexed = after
        assert summary.added == len(after.keys() - before.keys())
        assert summary.removed == len(before.keys() - after.keys())
        assert summary.updated == sum(1 for s in after.keys() & before.keys() if after[s] != before[s])
        assert summary.unchanged == sum(1 for s in after.keys() & before.keys() if after[s] == before[s])
        expected = expected_index(self.assistant, self.folder)
        assert summary.skipped == len(summary.duplicates) == len(expected) - len(after)
        assert summary.documents == len(after)
        assert summary.chunks == sum(n for source, (_, n) in expected.items() if source in after)
        assert summary.embedded_chunks <= sum(
            expected[s][1] for s in after if before.get(s) != after[s]
        )

    def teardown(self) -> None:
        Run.last = {"root": self.root, "folder": self.folder, "assistant": self.assistant}


def retrieve(assistant: Assistant) -> list[list[str]]:
    retriever = assistant.as_retriever(k=4)
    return [[str(doc.id) for doc in retriever.invoke(q)] for q in QUERIES]


def test_index_always_matches_the_folder(tmp_path: Path) -> None:
    Run.base = tmp_path
    run_state_machine_as_test(IndexMachine, settings=MACHINE_SETTINGS)

    # The last example's index, with a few articles for sure, reopened in a new process.
    folder: Path = Run.last["folder"]
    assistant: Assistant = Run.last["assistant"]
    (folder / "omega.md").write_text("# Omega\n\n" + " ".join(SENTENCES[:4]) + "\n", encoding="utf-8")
    (folder / "sigma.md").write_text("# Sigma\n\n" + " ".join(SENTENCES[4:]) + "\n", encoding="utf-8")
    assistant.ingest([folder])
    assert_index_matches(assistant, folder)
    here = retrieve(assistant)
    assert all(here)
    code = (
        "import json, sys\n"
        "from assistant import Assistant\n"
        "from tests.test_index_properties import retrieve\n"
        "a = Assistant.open(index=sys.argv[1], corpus=sys.argv[2])\n"
        "print(json.dumps(retrieve(a)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Run.last["root"] / "index"), str(folder)],
        capture_output=True, text=True, timeout=300, env={**os.environ}, cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == here
