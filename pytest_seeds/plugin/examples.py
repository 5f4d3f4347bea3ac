"""Documented examples kept true: what a seed's report carries, and the one writer.

In the process that runs a seed, its call report gets ``seeds_examples`` (plain JSON
types): the answers that differ from the documented examples or from the Swagger schema
(for ``--seeds-discrepancies``) and, when asked, the new text of each example that drifted.
:class:`ExampleUpdates`, on the xdist controller or the only process, is the one writer:
the report file, and each seed file once, only for seeds that passed.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.contract.drift import compare
from pytest_seeds.model import Phase
from pytest_seeds.output import atomic, discrepancies, examplefix
from pytest_seeds.output.examplefix import KEPT, BlockUpdate
from pytest_seeds.plugin.items import SeedItem
from pytest_seeds.plugin.state import get_settings, write_output
from pytest_seeds.reading.document import normalized

REPORT_KEY = "seeds_examples"  # the attribute of a call report


def report_data(item: SeedItem) -> dict[str, Any] | None:
    """What a seed's call report carries about its examples (masked), or None (also when
    the run writes neither a report nor examples)."""
    observer, run = item.drift, item.run
    settings = get_settings(item.config)
    wanted = settings.updates_examples or settings.discrepancies is not None
    if observer is None or run is None or not wanted:
        return None
    entry = discrepancies.seed_entry(
        item.location[0],
        item.seed.endpoint,
        item.seed.domain,
        observer.found,
        [record for record in run.records if record.step.phase is Phase.TEST],
        item.redactor,
    )
    updates: list[dict[str, Any]] = []
    if observer.updating:
        conceal = observer.conceal(run)
        done: set[int] = set()
        for found in observer.found:
            block = found.example.example.block
            if block.line in done or found.value is None:  # None: too deep to update
                continue
            done.add(block.line)
            steps = _conflicting(observer.made.get(block.line, []))
            if steps:
                updates.append({"line": block.line, "conflict": steps})
                continue
            try:
                new = examplefix.block_text(block.text, conceal.scrub(found.value))
            except RecursionError:  # an example nested too deep to write back: kept
                continue
            if new != block.text:
                updates.append({"line": block.line, "old": block.text, "new": new})
    if entry is None and not updates:
        return None
    return {
        "file": item.location[0],
        "entry": entry,
        "updates": updates,
        "read": _digest(observer.document.text),
    }


def _digest(text: str) -> str:
    """A document's text as a short digest: is the file still what the run read?"""
    return hashlib.sha256(text.encode("utf-8", KEPT)).hexdigest()


def _conflicting(made: list[tuple[str, Any]]) -> list[str]:
    """The steps whose answers make examples of different shapes of one block (none: they
    agree; values may differ, the first answer's are written)."""
    first = made[0][1] if made else None
    if all(not compare(first, value) and not compare(value, first) for _, value in made[1:]):
        return []
    return list(dict.fromkeys(step for step, _ in made))


class ExampleUpdates:
    """The report file and the example updates of a run (xdist controller or only process)."""

    def __init__(self, config: pytest.Config, settings: seeds_config.Settings) -> None:
        self.config = config
        self.settings = settings
        self.data: dict[str, dict[str, Any]] = {}  # test id -> its report's data
        self.not_passed: set[str] = set()
        self.seeds: set[str] = set()
        self.lines: list[str] = []  # for the terminal summary

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if getattr(report, "seeds_summary", None) is not None:
            self.seeds.add(report.nodeid)
        data = getattr(report, REPORT_KEY, None)
        if isinstance(data, dict):
            self.data[report.nodeid] = data
        if report.failed or report.skipped or hasattr(report, "wasxfail"):
            self.not_passed.add(report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        path = self.settings.discrepancies
        if path is not None:
            entries = [data["entry"] for data in self.data.values() if data.get("entry")]
            text = discrepancies.markdown(entries, len(self.seeds))
            if write_output(
                self.config, "the discrepancy report", path, lambda: atomic.write_text(path, text)
            ):
                self.lines.append(f"discrepancy report: {self._shown(path)}")
        if self.settings.updates_examples and exitstatus == pytest.ExitCode.INTERRUPTED:
            self.lines.append("examples: not updated: the run was interrupted")
        elif self.settings.updates_examples:
            self._update()

    def _update(self) -> None:
        """Rewrite (or, in a dry run, show) each file's drifted examples, once per file."""
        by_file: dict[str, list[BlockUpdate]] = defaultdict(list)
        read: dict[str, str] = {}
        held_back = 0
        for nodeid, data in sorted(self.data.items()):
            for update in data.get("updates", ()):
                if "conflict" in update:
                    steps = ", ".join(f"'{step}'" for step in update["conflict"])
                    self.lines.append(
                        f"{data['file']}:{update['line']}: not updated: the answers of steps "
                        f"{steps} make different examples (document one shape per example)"
                    )
            updates = [
                BlockUpdate(**update)
                for update in data.get("updates", ())
                if "conflict" not in update
            ]
            if nodeid in self.not_passed:
                held_back += bool(updates)
            elif updates:
                by_file[data["file"]] += updates
                read[data["file"]] = data["read"]
        dry = self.settings.update_examples_dry_run
        changed = []
        for path, (updates, digests) in self._by_target(by_file, read).items():
            try:
                before = examplefix.read(path)
                if _digest(normalized(before)) not in digests:
                    self.lines.append(
                        f"{self._shown(path)}: not updated: the file changed during the run"
                    )
                    continue
                after, stale = examplefix.rewrite(before, updates)
                if after != before and not examplefix.writable(path):
                    self.lines.append(f"{self._shown(path)}: not updated: read-only")
                    continue
                if after != before and not dry:
                    examplefix.write(path, after)
            except OSError as error:
                self.lines.append(f"{self._shown(path)}: not updated ({error.strerror})")
                continue
            for line in stale:
                self.lines.append(
                    f"{self._shown(path)}:{line}: not updated: the example changed during the run"
                )
            if after != before:
                changed.append(self._shown(path))
                if dry:
                    self.lines += examplefix.diff(self._shown(path), before, after)
        verb = "would update" if dry else "updated"
        self.lines.append(
            f"examples: {verb} {len(changed)} file(s)"
            + (f": {', '.join(changed)}" if changed else "")
        )
        drifted = sum(bool(data.get("updates")) for data in self.data.values())
        if drifted:
            self.lines.append(
                f"examples: {drifted} seed(s) drifted from their examples (while updating, "
                "drift is told here, not as warnings)"
            )
        if held_back:
            self.lines.append(
                f"examples: {held_back} seed(s) that did not pass keep their examples"
            )

    def _by_target(
        self, by_file: dict[str, list[BlockUpdate]], read: dict[str, str]
    ) -> dict[Path, tuple[list[BlockUpdate], set[str]]]:
        """The updates of each file, by the file a seed's path leads to (a symlinked seed's
        target: written there, the link kept; a seed collected twice, once), with the
        digests of the texts the run read there."""
        by_target: dict[Path, tuple[list[BlockUpdate], set[str]]] = {}
        for name, updates in sorted(by_file.items()):
            target = Path(os.path.realpath(self.config.rootpath / name))
            kept, digests = by_target.setdefault(target, ([], set()))
            known = {(update.line, update.old) for update in kept}
            kept += [u for u in updates if (u.line, u.old) not in known]
            digests.add(read[name])
        return by_target

    def _shown(self, path: Path) -> str:
        return os.path.relpath(path, self.config.invocation_params.dir)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.lines:
            terminalreporter.write_sep("=", "seeds documented examples")
            for line in self.lines:
                terminalreporter.write_line(line)
