"""The page on how this book was built, written into the staged book.

``scripts/book.py build`` writes it (``book/status.md`` of ``_build/<profile>``)
before jupyter-book runs, from what the runs recorded and nothing typed by
hand: per chapter, the record that ``scripts/book.py execute`` left in
``_build/<profile>/.runs/<stem>.json`` (executed or reused, when, how long, on
what machine), the versions of the software, and the archived full-profile
runs' metrics files and network records in ``helpers/archive/full/``.

:func:`page` turns those records into Markdown (MyST tables, narrow enough for
a phone); the readers around it only load them.
"""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import datetime
from importlib import metadata
from pathlib import Path

# The page's file in the staged book, without suffix (as _toc.yml names it).
PAGE = "book/status"
# where `scripts/book.py execute` keeps its records, in _build/<profile>/
RUNS = ".runs"
TITLE = "How this book was built"

# What the page names, and the distributions that provide it.
SOFTWARE = (
    ("Python", ()),
    ("TensorFlow", ("tensorflow", "tensorflow-cpu")),
    ("Keras", ("keras",)),
    ("scikit-learn", ("scikit-learn",)),
    ("papermill", ("papermill",)),
    ("jupyter-book", ("jupyter-book",)),
)


def versions() -> dict[str, str | None]:
    """The installed versions of :data:`SOFTWARE` (None: not installed), read
    from the packages' metadata without importing them."""
    found: dict[str, str | None] = {"Python": platform.python_version()}
    for name, distributions in SOFTWARE[1:]:
        found[name] = None
        for distribution in distributions:
            try:
                found[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
    return found


def lock_digest(lock: Path) -> str | None:
    """The SHA-256 of ``requirements.lock`` (None without one)."""
    return hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else None


# --- reading the records ---------------------------------------------------


def _json(path: Path):
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def read_runs(stage: Path, stems: list[str]) -> dict[str, dict | None]:
    """Each chapter's record in ``stage/.runs/`` (:data:`RUNS`), when it is
    readable and of the executed copy there now (its run key is the one in
    ``stage/.keys/``)."""
    runs = {}
    for stem in stems:
        record = _json(stage / RUNS / f"{stem}.json")
        key = stage / ".keys" / f"{stem}.sha256"
        current = (
            isinstance(record, dict)
            and key.exists()
            and key.read_bytes() == str(record.get("run_key")).encode()
        )
        runs[stem] = record if current else None
    return runs


def _machine(env: dict) -> dict:
    """A metrics file's ``environment`` as the records describe a machine."""
    return {
        "cpu": env.get("cpu"),
        "cpus": env.get("cpus"),
        "gpu": env.get("accelerator"),
        "tensorflow": "tensorflow" in env,
        "onednn": env.get("onednn"),
    }


def archived_runs(archive: Path) -> dict[str, list[dict]]:
    """The archived full-profile trainings, per chapter: each ``{"utc",
    "seconds", "machine"}``. A chapter's stored networks (``members/``) where
    it has any, since its metrics files then sum or repeat them; else its
    metrics files. The drawing page's network is under ``"drawing"``."""
    trainings: dict[str, list[dict]] = {}

    def add(chapter: str, record) -> None:
        if not isinstance(record, dict) or record.get("profile") != "full":
            return
        env = record.get("environment")
        seconds = record.get("train_seconds")
        if not isinstance(env, dict) or "recorded_utc" not in env:
            return
        trainings.setdefault(chapter, []).append(
            {
                "utc": env["recorded_utc"],
                "seconds": seconds if isinstance(seconds, (int, float)) else 0.0,
                "machine": _machine(env),
            }
        )

    for path in sorted(archive.glob("members/*/net-*.json")):
        add(path.parent.name.split("-")[0], _json(path))
    networks = set(trainings)
    for path in sorted(archive.glob("*.json")):
        record = _json(path)
        chapter = record.get("chapter") if isinstance(record, dict) else None
        if chapter and chapter not in networks:
            add(chapter, record)
    add("drawing", _json(archive / "drawing" / "network.json"))
    return trainings


# --- the page ----------------------------------------------------------------


def _when(iso: str | None, minutes: bool = True) -> str:
    """'2026-12-01 10:00' (or the date alone) of an ISO time; '–' for none."""
    try:
        moment = datetime.fromisoformat(str(iso))
    except ValueError:
        return "–"
    return moment.strftime("%Y-%m-%d %H:%M" if minutes else "%Y-%m-%d")


def _seconds(value) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _cell(text) -> str:
    """A value as a table cell: a '|' in it would end the cell."""
    return str(text).replace("|", "\\|")


def _onednn(machines: list[dict]) -> str:
    """What the runs on one machine say of oneDNN: nothing where none ran
    TensorFlow."""
    said = {m.get("onednn") for m in machines if m.get("tensorflow")}
    if not said:
        return ""
    if said == {None}:
        return "oneDNN not recorded"
    known = said - {None}
    state = "on" if known == {True} else "off" if known == {False} else "on and off"
    return f"oneDNN {state}" + (" where recorded" if None in said else "")


class _Machines:
    """Letters for the machines the page names, in order of appearance."""

    def __init__(self):
        self.seen: dict[tuple, dict] = {}

    def letter(self, machine: dict) -> str:
        key = (machine.get("cpu"), machine.get("cpus"), machine.get("gpu"))
        if key not in self.seen:
            self.seen[key] = machine
        return chr(ord("A") + list(self.seen).index(key))

    def cell(self, machines: list[dict]) -> str:
        """'A, oneDNN on' for one or more runs; '; ' between machines."""
        if not machines:
            return "not recorded"
        groups: dict[str, list[dict]] = {}
        for machine in machines:
            groups.setdefault(self.letter(machine), []).append(machine)
        return "; ".join(
            ", ".join(filter(None, (letter, _onednn(group))))
            for letter, group in sorted(groups.items())
        )

    def table(self) -> list[str]:
        rows = ["| Machine | CPU | Cores | GPU |", "| --- | --- | ---: | --- |"]
        for (cpu, cpus, gpu), machine in self.seen.items():
            letter = self.letter(machine)
            rows.append(
                f"| {letter} | {_cell(cpu or 'model not recorded')} "
                f"| {_cell(cpus or '–')} | {_cell(gpu or 'none')} |"
            )
        return rows


STATUS = {
    "executed": "executed",
    "reused": "reused",
    "earlier": "earlier run",
    "unrecorded": "not recorded",
    "page": "nothing to run",
}

LEGEND = {
    "executed": "*Executed*: this build ran the chapter with papermill.",
    "reused": (
        "*Reused*: its run key matched, so this build kept the copy executed "
        "at the time shown."
    ),
    "earlier": (
        "*Earlier run*: this build's last execute step skipped the chapter "
        "(`--chapter`); its copy comes from an earlier one."
    ),
    "unrecorded": (
        "*Not recorded*: the executed copy has no record of its run; run "
        "`scripts/book.py execute` to write one."
    ),
    "page": "*Nothing to run*: a Markdown page, not a notebook.",
}


def _status(record: dict | None, notebook: bool, latest: str | None) -> str:
    if not notebook:
        return "page"
    if record is None:
        return "unrecorded"
    if record.get("checked_utc") != latest:
        return "earlier"
    return "executed" if record.get("this_run") == "executed" else "reused"


def _tally(runs: dict[str, dict | None], latest: str | None) -> str:
    """'It executed 3 chapters (412 s) and reused 6.'"""
    now = [r for r in runs.values() if r and r.get("checked_utc") == latest]
    if not now:
        return ""
    executed = [r for r in now if r.get("this_run") == "executed"]
    seconds = sum((r.get("execution") or {}).get("seconds") or 0.0 for r in executed)
    reused = len(now) - len(executed)
    took = f" ({_seconds(seconds)} s)" if executed else ""
    return f"It executed {_count(len(executed))}{took} and reused {reused}."


def _count(n: int) -> str:
    return f"{n} chapter" if n == 1 else f"{n} chapters"


def _differences(
    runs: dict[str, dict | None], build_versions: dict, build_lock: str | None
) -> list[str]:
    """Sentences for chapters executed with other software than this build's."""
    lines = []
    for name, _ in SOFTWARE:
        other: dict[str, list[str]] = {}
        for stem, record in runs.items():
            recorded = ((record or {}).get("execution") or {}).get("versions")
            if recorded and recorded.get(name) != build_versions.get(name):
                other.setdefault(recorded.get(name) or "none", []).append(stem)
        for version, stems in sorted(other.items()):
            lines.append(f"{', '.join(stems)}: executed with {name} {version}.")
    stale = [
        stem
        for stem, record in runs.items()
        if ((record or {}).get("execution") or {}).get("requirements_lock_sha256")
        not in (None, build_lock)
    ]
    if stale:
        lines.append(f"{', '.join(stale)}: executed under another requirements.lock.")
    return lines


def page(
    chapters: list[dict],
    runs: dict[str, dict | None],
    archived: dict[str, list[dict]],
    build: dict,
) -> str:
    """The page's Markdown.

    ``chapters``: the numbered chapters of ``_toc.yml`` in order, each
    ``{"stem", "notebook"}`` (False for a Markdown page); ``runs``: each
    notebook's record (``scripts/book.py execute``), None where there is none;
    ``archived``: :func:`archived_runs`; ``build``: this build's ``profile``,
    ``written_utc``, ``versions`` (:func:`versions`) and ``lock`` (the SHA-256
    of requirements.lock).
    """
    machines = _Machines()
    recorded = [r for r in runs.values() if r]
    latest = max((r.get("checked_utc", "") for r in recorded), default=None)
    profiles = sorted({r.get("profile") for r in recorded if r.get("profile")})
    profile = ", ".join(profiles) or build["profile"]
    lines = [
        f"# {TITLE}",
        "",
        "The build writes this page from what its runs recorded.",
        "Seconds are wall-clock times, measured on the machine named beside them.",
        "",
        "## This build",
        "",
        f"Profile: `{profile}`.",
        f"The execute step last checked the chapters on {_when(latest)} UTC.",
        f"This page was written on {_when(build['written_utc'])} UTC.",
        _tally(runs, latest),
        "",
        "| Chapter | This build | Executed (UTC) | Seconds | Machine |",
        "| --- | --- | --- | ---: | --- |",
    ]
    shown = set()
    for chapter in chapters:
        stem = chapter["stem"]
        record = runs.get(stem)
        status = _status(record, chapter["notebook"], latest)
        shown.add(status)
        execution = (record or {}).get("execution") or {}
        machine = execution.get("machine")
        where = (
            machines.cell([machine])
            if machine
            else ("–" if status == "page" else "not recorded")
        )
        lines.append(
            f"| {{doc}}`{stem} <{stem}>` | {STATUS[status]} "
            f"| {_when(execution.get('started_utc'))} "
            f"| {_seconds(execution.get('seconds'))} | {_cell(where)} |"
        )
    lines += ["", *(f"- {LEGEND[s]}" for s in STATUS if s in shown), ""]
    lines += [
        "oneDNN is named only for chapters that ran TensorFlow.",
        "The machines' letters are explained under [Machines](#machines).",
        "",
        "## Archived full-profile runs",
        "",
        "The full profile takes hours, so its runs are archived, not rerun.",
        "Seconds are the recorded training time, summed; each network counts once.",
        "",
        "| Chapter | Trained (UTC) | Seconds | Machine |",
        "| --- | --- | ---: | --- |",
    ]
    order = [c["stem"] for c in chapters]
    stems = sorted(
        (s for s in archived if s != "drawing"),
        key=lambda s: (order.index(s) if s in order else len(order), s),
    )
    if "drawing" in archived:
        stems.append("drawing")
    for stem in stems:
        runs_of = archived[stem]
        days = sorted({_when(r["utc"], minutes=False) for r in runs_of})
        label = (
            "drawing network"
            if stem == "drawing"
            else f"{{doc}}`{stem} <{stem}>`"
            if stem in order
            else stem
        )
        last = days[-1][5:] if days[-1][:4] == days[0][:4] else days[-1]
        when = days[0] if len(days) == 1 else f"{days[0]} to {last}"
        total = sum(r["seconds"] for r in runs_of)
        cell = machines.cell([r["machine"] for r in runs_of])
        lines.append(f"| {label} | {when} | {_seconds(total)} | {_cell(cell)} |")
    if not stems:
        lines.append("| none archived | – | – | – |")
    if "drawing" in archived:
        lines += ["", "The drawing network is the one the drawing page runs."]
    lines += [
        "",
        "## Machines",
        "",
        "A letter names a kind of machine: its CPU model, cores and GPU.",
        "",
        *machines.table(),
        "",
    ]
    lines += [
        "## Software",
        "",
        "| Software | Version |",
        "| --- | --- |",
        *(
            f"| {name} | {_cell(build['versions'].get(name) or 'not installed')} |"
            for name, _ in SOFTWARE
        ),
        "",
        f"SHA-256 of `requirements.lock`: `{build['lock'] or 'no lock file'}`.",
    ]
    differences = _differences(runs, build["versions"], build["lock"])
    if differences:
        lines += ["", "Some chapters ran with other software:", ""]
        lines += [f"- {line}" for line in differences]
    return "\n".join(lines) + "\n"
