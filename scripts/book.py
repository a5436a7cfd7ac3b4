"""Execute the book's chapters with papermill, then build the HTML with jupyter-book.

    python scripts/book.py execute --profile smoke   # run every chapter of _toc.yml
    python scripts/book.py build --profile smoke     # HTML into _build/html
    python scripts/book.py build --profile smoke --builder singlehtml  # one page
    python scripts/book.py archive --profile full    # keep the metrics of those runs
    python scripts/book.py repository https://github.com/OWNER/NAME [--branch B]
    python scripts/book.py repository                # check that every file agrees

Executed notebooks go to ``_build/<profile>/``, a copy of the book's sources
that jupyter-book builds from, so the source tree stays clean. A chapter is
executed again only when its code, its parameters or a module of ``helpers``
that it uses changed since its last successful run (a change in its Markdown
cells alone is copied into the executed notebook); the results chapter also
when any chapter's metrics file changed. A failing cell fails the run. An
executed copy that cannot be read (a killed write, a full disk, a partial
cache restore) is executed again; every file this script writes into
``_build/<profile>`` goes through a temporary file and a rename.

Every run of a chapter leaves a record in ``_build/<profile>/.runs/<stem>.json``
(executed or reused, when, how long, on what machine); ``build`` turns the
records into the book's page on how it was built (``scripts/status_page.py``).

The full profile takes hours on a CPU, too long for every build; ``archive``
copies the metrics files of its runs (without the per-image predictions) into
``helpers/archive/<profile>/``, where the results chapter of every build, and
of a notebook opened alone, finds them.

The repository is named once, by ``_config.yml`` (``repository.url`` and
``branch``); ``repository`` writes it into the chapters' Colab links and install
cells, the README's site address, CONTRIBUTING.md's Colab badge and the intro's
links to the latest release's PDF and zips, so a fork publishes, opens in Colab
and hands out its files from itself.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import status_page  # noqa: E402  (scripts/, beside this file)

from helpers import members, profiles  # noqa: E402
from helpers.files import write_atomic  # noqa: E402
from helpers.results import ARCHIVE  # noqa: E402

# Files besides the notebooks that jupyter-book needs, relative to ROOT.
BOOK_FILES = ("_config.yml", "_toc.yml", "references.bib")


def numbered() -> list[str]:
    """The files of the numbered parts of ``_toc.yml``, in order (chapter n is
    entry n - 1), notebooks and Markdown pages alike."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [
        chapter["file"]
        for part in toc.get("parts", [])
        if part.get("numbered")
        for chapter in part["chapters"]
    ]


def chapters() -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in reading order."""
    entries = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(entries)
    return [
        ROOT / f"{name}.ipynb" for name in found if (ROOT / f"{name}.ipynb").exists()
    ]


def imported_helpers(code: str) -> set[str] | None:
    """The ``helpers`` modules that Python ``code`` imports by name, or None
    when it imports the package as a whole (then every module counts)."""
    import ast

    lines = [
        line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))
    ]
    found: set[str] = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "helpers":
                    return None
                if alias.name.startswith("helpers."):
                    found.add(alias.name.split(".")[1])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:  # inside helpers: from . import x, from .x import y
                module = node.module
            elif node.module and node.module.split(".")[0] == "helpers":
                module = node.module.partition(".")[2]
            else:
                continue
            if module:
                found.add(module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def helpers_used(notebook: Path) -> list[Path]:
    """The modules of ``helpers`` a chapter runs: those its code cells import,
    and the modules those import, and so on; ``__init__.py`` always."""
    package = ROOT / "helpers"
    content = json.loads(notebook.read_text())
    code = "\n".join(
        "".join(cell["source"])
        for cell in content["cells"]
        if cell["cell_type"] == "code"
    )
    everything = sorted(package.rglob("*.py"))
    todo = imported_helpers(code)
    if todo is None:
        return everything
    used = {package / "__init__.py"}
    while todo:
        path = package / f"{todo.pop()}.py"
        if path in used or not path.exists():
            continue
        used.add(path)
        more = imported_helpers(path.read_text())
        if more is None:
            return everything
        todo |= more
    return sorted(p for p in used if p.exists())


def helpers_digest(notebook: Path) -> str:
    """A digest of the ``helpers`` modules the chapter uses (``helpers_used``):
    a change anywhere else in the package does not execute it again."""
    digest = hashlib.sha256()
    for path in helpers_used(notebook):
        digest.update(
            path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes()
        )
    return digest.hexdigest()


def metrics_digest(results_dir: Path) -> str:
    """The metrics files (``RESULTS_DIR/*.json``) and the archived ones as they are
    now."""
    digest = hashlib.sha256()
    archived = sorted(ARCHIVE.rglob("*.json"))
    for path in [*sorted(results_dir.glob("*.json")), *archived]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# notebook metadata of a chapter that reads every other chapter's metrics
READS_METRICS = ("mnist_book", "reads_metrics")


def reads_metrics(notebook: Path) -> bool:
    """A chapter that reads the other chapters' metrics (the results chapter):
    it executes after them, and again whenever one of them changes.

    Its notebook says so in its metadata (``{"mnist_book": {"reads_metrics": true}}``),
    so the build needs no list of chapter names.
    """
    section, key = READS_METRICS
    metadata = json.loads(notebook.read_text()).get("metadata", {})
    return bool(metadata.get(section, {}).get(key, False))


def in_execution_order(notebooks: list[Path]) -> list[Path]:
    """Reading order, except that chapters that read metrics go last."""
    return sorted(
        notebooks, key=reads_metrics
    )  # a stable sort keeps the order otherwise


def code_of(notebook: Path) -> bytes:
    """What execution depends on in a notebook: its code cells (source and
    metadata, in order) and the notebook's metadata, not its prose."""
    content = json.loads(notebook.read_text())
    code = [
        [cell["source"], cell.get("metadata", {})]
        for cell in content["cells"]
        if cell["cell_type"] == "code"
    ]
    return json.dumps([code, content.get("metadata", {})], sort_keys=True).encode()


class Unreadable(ValueError):
    """An executed copy that is not a notebook: truncated by a killed write, a
    full disk or a partial cache restore. The chapter is executed again."""


def read_executed(executed: Path) -> dict:
    """The executed copy's JSON, or :class:`Unreadable` saying why not."""
    try:
        content = json.loads(executed.read_bytes())
    except (UnicodeDecodeError, ValueError) as error:
        raise Unreadable(f"not valid JSON: {error}") from None
    cells = content.get("cells") if isinstance(content, dict) else None
    if not isinstance(cells, list) or not all(
        isinstance(cell, dict) and "cell_type" in cell for cell in cells
    ):
        raise Unreadable("not a notebook: no list of cells")
    return content


def with_prose_of(notebook: Path, executed: Path) -> bool:
    """Give an executed copy the Markdown cells of ``notebook`` as they are now,
    keeping its code cells and their outputs, so a change in prose alone is
    rebuilt without executing the chapter again. Returns whether anything
    changed. Call only when ``code_of`` is unchanged: the code cells then pair
    up one to one, in order, besides the cell papermill injects; when they do
    not, or the copy is no notebook, raises :class:`Unreadable`. The copy is
    rewritten atomically: a run killed meanwhile leaves it as it was."""
    source = json.loads(notebook.read_text())
    ran = read_executed(executed)

    def injected(cell):
        return "injected-parameters" in cell.get("metadata", {}).get("tags", [])

    code = [c for c in ran["cells"] if c["cell_type"] == "code"]
    outputs = iter(c for c in code if not injected(c))
    cells = []
    for cell in source["cells"]:
        if cell["cell_type"] != "code":
            cells.append(cell)
            continue
        ran_cell = next(outputs, None)
        if ran_cell is None:
            raise Unreadable("fewer code cells than the chapter has")
        cells.append(ran_cell)
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cells += filter(injected, code)  # papermill's place for them
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells):
        cells[:0] = filter(injected, code)  # no tagged cell: papermill puts them first
    if cells == ran["cells"]:
        return False
    ran["cells"] = cells
    text = json.dumps(ran, indent=1, ensure_ascii=False) + "\n"
    write_atomic(executed, text.encode("utf-8"))
    return True


def run_key(notebook: Path, parameters: dict, results_dir: Path | None = None) -> str:
    """What the executed copy depends on: the notebook's code, parameters,
    helpers, and for a chapter that reads metrics, the metrics files in
    ``results_dir``. Prose is not part of it (see ``with_prose_of``)."""
    parts = [
        code_of(notebook),
        json.dumps(parameters, sort_keys=True).encode(),
        helpers_digest(notebook).encode(),
    ]
    if results_dir is not None and reads_metrics(notebook):
        parts.append(metrics_digest(results_dir).encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def staged(profile: str) -> Path:
    return ROOT / "_build" / profile


# --- what each execution leaves for the page on how the book was built ---
# (scripts/status_page.py): _build/<profile>/.runs/<stem>.json, one per chapter,
# rewritten by every `execute` that selects the chapter


def utc(seconds: float | None = None) -> str:
    """A time (``time.time()``'s, by default now) as ISO 8601 in UTC."""
    moment = time.time() if seconds is None else seconds
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


@functools.cache
def gpu_name() -> str | None:
    """The machine's NVIDIA GPU, from ``nvidia-smi`` (None without one)."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        listed = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return None
    names = [name.strip() for name in listed if name.strip()]
    if len(names) > 1:
        return f"{len(names)} × {names[0]}"
    return names[0] if names else None


def metrics_environments(
    results_dir: Path | None, stem: str, since: float, until: float
) -> list[dict]:
    """The ``environment`` of each metrics file the chapter wrote between
    ``since`` and ``until`` (POSIX times, as each file recorded it): what the
    kernel saw of the machine during that run."""
    found = []
    for path in sorted(results_dir.glob(f"{stem}-*.json")) if results_dir else []:
        try:
            env = json.loads(path.read_bytes())["environment"]
            when = datetime.fromisoformat(env["recorded_utc"]).timestamp()
        except (OSError, ValueError, KeyError, TypeError):
            continue  # the chapter's business, not this record's
        if since - 1 <= when <= until + 1:  # recorded to the second
            found.append(env)
    return found


def with_environments(described: dict, environments: list[dict]) -> dict:
    """``described`` with what the kernel recorded: whether TensorFlow ran,
    with oneDNN kernels or not, and the GPU it used."""
    described = {**described, "tensorflow": False, "onednn": None}
    for env in environments:
        if "tensorflow" in env:
            described["tensorflow"] = True
            if env.get("onednn") is not None:
                described["onednn"] = bool(env["onednn"])
        if env.get("accelerator"):
            described["gpu"] = env["accelerator"]  # the one TensorFlow used
    return described


def machine(results_dir: Path | None, stem: str, since: float) -> dict:
    """The machine a chapter just ran on: CPU model and cores (this process's
    view), the GPU, and whether its TensorFlow ran oneDNN kernels, from the
    metrics files the chapter wrote since ``since`` (``tensorflow`` False where
    none names TensorFlow, ``onednn`` None where none says)."""
    from helpers.results import cpu

    found = cpu()
    described = {
        "cpu": found["cpu"],
        "cpu_features": found.get("cpu_features", []),
        "cpus": os.cpu_count(),
        "gpu": gpu_name(),
    }
    written = metrics_environments(results_dir, stem, since, time.time())
    return with_environments(described, written)


def from_papermill(
    content: dict, results_dir: Path | None = None, stem: str = ""
) -> dict | None:
    """The execution of a copy made before this script kept records: its times
    from papermill's metadata (``metadata.papermill``), and the machine from the
    metrics files the chapter wrote meanwhile (None where it wrote none)."""
    meta = content.get("metadata", {}).get("papermill", {})
    try:
        started = datetime.fromisoformat(meta["start_time"])
        finished = datetime.fromisoformat(meta["end_time"])
        seconds = float(meta["duration"])
    except (KeyError, TypeError, ValueError):
        return None
    if started.tzinfo is None:  # papermill writes UTC without saying so
        started = started.replace(tzinfo=timezone.utc)
    if finished.tzinfo is None:
        finished = finished.replace(tzinfo=timezone.utc)
    written = metrics_environments(
        results_dir, stem, started.timestamp(), finished.timestamp()
    )
    machine = None
    if written:
        first = written[0]
        described = {
            "cpu": first.get("cpu"),
            "cpu_features": first.get("cpu_features", []),
            "cpus": first.get("cpus"),
            "gpu": first.get("accelerator"),
        }
        machine = with_environments(described, written)
    return {
        "started_utc": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "finished_utc": finished.astimezone(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": machine,
        "versions": None,
        "requirements_lock_sha256": None,
        "recorded_by": "papermill's metadata in the executed notebook",
    }


def previous_execution(record_file: Path, key: str) -> dict | None:
    """The execution that produced the executed copy of ``key``, as its record
    says (None without a readable record of that key)."""
    try:
        record = json.loads(record_file.read_bytes())
        if record["run_key"] == key and isinstance(record["execution"], dict):
            return record["execution"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def use_this_checkout() -> None:
    """Make kernels import this checkout's helpers, whatever else is installed
    (an editable install of another clone would otherwise win)."""
    paths = [
        str(ROOT),
        *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep)),
    ]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))


def kernel_manager_class():
    """Kernels that talk over local sockets where the system has them: over TCP,
    ipykernel 7 warns on every start that the traffic is not encrypted."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class LocalSocketKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc" if os.name == "posix" else "tcp"

        @default("ip")
        def _ip_default(self):
            # jupyter_client names the sockets "kernel-ipc-<n>" in the working
            # directory, n the first number free: two chapters started at once
            # in one folder (--jobs) would pick the same ones
            if self.transport != "ipc":
                return super()._ip_default()
            return os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex}")

    return LocalSocketKernelManager


def selected_chapters(only: list[str] | None = None) -> list[Path]:
    """The chapters of ``_toc.yml``, or those named in ``only`` (a chapter not
    yet in ``_toc.yml`` can still be executed by name)."""
    selected = chapters()
    if only:
        selected = [nb for nb in selected if nb.stem in only]
        selected += [
            ROOT / "book" / f"{stem}.ipynb"
            for stem in only
            if ROOT / "book" / f"{stem}.ipynb" not in selected
        ]
    return selected


# notebook metadata naming the chapters whose stored networks a chapter reads
# (chapter 7 reads chapter 6's): with --jobs it starts after them
NEEDS = ("mnist_book", "needs")


def needs(notebook: Path) -> list[str]:
    section, key = NEEDS
    metadata = json.loads(notebook.read_text()).get("metadata", {})
    return list(metadata.get(section, {}).get(key, []))


def in_parallel(order: list[Path], jobs: int, start, ended=None) -> list[str]:
    """Run ``start(notebook)`` for each chapter of ``order``, ``jobs`` at a time;
    it returns a process (``poll()``, ``returncode``). A chapter starts once the
    chapters it ``needs`` have ended; one that reads metrics, once every other
    chapter has. ``ended(stem)`` is called as each ends. Returns the stems of
    the chapters that failed."""
    stems = {nb.stem for nb in order}
    waiting, running, done, failed = list(order), {}, set(), []

    def ready(notebook: Path) -> bool:
        if reads_metrics(notebook):
            return all(nb.stem in done for nb in order if not reads_metrics(nb))
        return all(stem in done for stem in needs(notebook) if stem in stems)

    while waiting or running:
        while len(running) < jobs and waiting:
            notebook = next((nb for nb in waiting if ready(nb)), None)
            if notebook is None:
                if running:
                    break
                notebook = waiting[0]  # needs that cannot be met: never wait forever
            waiting.remove(notebook)
            running[notebook.stem] = start(notebook)
        time.sleep(0.1)
        for stem, process in list(running.items()):
            if process.poll() is None:
                continue
            del running[stem]
            done.add(stem)
            if ended:
                ended(stem)
            if process.returncode:
                failed.append(stem)
    return failed


def execute_in_parallel(profile: str, only: list[str] | None, jobs: int) -> int:
    """Execute the chapters ``jobs`` at a time (:func:`in_parallel`), each by
    ``execute`` in a process of its own, its output kept in
    ``_build/<profile>/logs/`` and printed when it ends.

    A smoke build spends most of its time in single-threaded Python (building
    and tracing models, plotting), so two chapters on two cores take little
    longer than one.
    """
    logs = staged(profile) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "execute", "--profile", profile]
    stamp = utc()  # one stamp for the whole command, as a single process has

    def start(notebook: Path):
        with (logs / f"{notebook.stem}.log").open("w") as out:
            print(f"{notebook.stem}: started", flush=True)
            return subprocess.Popen(
                [*command, "--chapter", notebook.stem],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "BOOK_PROGRESS_BAR": "0", "BOOK_RUN_STAMP": stamp},
            )

    def ended(stem: str) -> None:
        print((logs / f"{stem}.log").read_text(), end="", flush=True)

    order = in_execution_order(selected_chapters(only))
    failed = in_parallel(order, jobs, start, ended)
    if failed:
        print(f"failed chapters: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def execute(profile: str, only: list[str] | None = None, jobs: int = 1) -> int:
    if jobs > 1:
        return execute_in_parallel(profile, only, jobs)
    import papermill

    use_this_checkout()
    stage = staged(profile)
    # this command's stamp: the page tells its chapters by it (--jobs hands its
    # own to every chapter's process)
    checked = os.environ.get("BOOK_RUN_STAMP") or utc()
    failed = []
    kernel_manager = kernel_manager_class()
    for notebook in in_execution_order(selected_chapters(only)):
        stem = notebook.stem
        declared = set(papermill.inspect_notebook(str(notebook)))
        parameters = profiles.parameters(profile, stem, declared)
        if "RESULTS_DIR" in declared:
            parameters["RESULTS_DIR"] = (
                "../results"  # relative to the executed notebook
            )
        target = stage / notebook.relative_to(ROOT)
        key_file = stage / ".keys" / f"{stem}.sha256"
        record_file = stage / status_page.RUNS / f"{stem}.json"
        record = {"chapter": stem, "profile": profile, "checked_utc": checked}
        results_dir = (
            target.parent / parameters["RESULTS_DIR"]
            if "RESULTS_DIR" in parameters
            else None
        )
        key = run_key(notebook, parameters, results_dir)
        if (
            target.exists()
            and key_file.exists()
            and key_file.read_bytes() == key.encode()
        ):
            try:
                refreshed = with_prose_of(notebook, target)
            except Unreadable as error:  # executed again below
                print(
                    f"{stem}: {target.relative_to(ROOT)} cannot be read "
                    f"({error}); executing it again",
                    flush=True,
                )
            else:
                print(
                    f"{stem}: up to date ({profile}), not executed again"
                    + ("; its prose refreshed" if refreshed else "")
                )
                execution = previous_execution(record_file, key) or from_papermill(
                    read_executed(target), results_dir, stem
                )
                write_json(
                    record_file,
                    {
                        **record,
                        "run_key": key,
                        "this_run": "reused",
                        "execution": execution,
                    },
                )
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        key_file.unlink(missing_ok=True)
        record_file.unlink(missing_ok=True)
        target.unlink(missing_ok=True)  # never build from a stale copy
        partial = target.with_suffix(".running.ipynb")
        print(f"{stem}: executing with {profile} parameters {parameters}", flush=True)
        since = time.time()
        start = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(notebook),
                str(partial),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(target.parent),
                progress_bar=os.environ.get("BOOK_PROGRESS_BAR") != "0",
                request_save_on_cell_execute=True,
                kernel_manager_class=kernel_manager,
            )
        except (
            Exception
        ) as error:  # papermill's error names the cell and shows the traceback
            failed_copy = stage / "failed" / notebook.name
            failed_copy.parent.mkdir(parents=True, exist_ok=True)
            if partial.exists():
                partial.replace(failed_copy)
            print(
                f"{stem}: FAILED after {time.perf_counter() - start:.0f} s: {error}\n"
                f"  the partly executed notebook is {failed_copy}",
                file=sys.stderr,
            )
            failed.append(stem)
            continue
        seconds = time.perf_counter() - start
        partial.replace(target)
        execution = {
            "started_utc": utc(since),
            "finished_utc": utc(),
            "seconds": round(seconds, 1),
            "machine": machine(results_dir, stem, since),
            "versions": status_page.versions(),
            "requirements_lock_sha256": status_page.lock_digest(
                ROOT / "requirements.lock"
            ),
            "recorded_by": "scripts/book.py execute",
        }
        write_json(
            record_file,
            {**record, "run_key": key, "this_run": "executed", "execution": execution},
        )
        write_atomic(key_file, key.encode())  # last: the copy counts as current
        print(f"{stem}: done in {seconds:.0f} s -> {target.relative_to(ROOT)}")
    if failed:
        print(f"failed chapters: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def copy_atomic(source: Path, target: Path, keep_time: bool = True) -> None:
    """Copy ``source`` to ``target`` through a temporary file and a rename
    (``helpers.files.write_atomic``): a build killed meanwhile leaves no
    half-copied file in the staged book."""
    copy = shutil.copy2 if keep_time else shutil.copy
    write_atomic(target, lambda temporary: copy(source, temporary))


def status(stage: Path, profile: str) -> None:
    """Write the page on how this book was built (``scripts/status_page.py``)
    into the staged book, from the runs' records and the archive."""
    listed = [
        {"stem": Path(entry).name, "notebook": (ROOT / f"{entry}.ipynb").exists()}
        for entry in numbered()
    ]
    notebooks = [chapter["stem"] for chapter in listed if chapter["notebook"]]
    markdown = status_page.page(
        listed,
        status_page.read_runs(stage, notebooks),
        status_page.archived_runs(ARCHIVE / "full"),
        {
            "profile": profile,
            "written_utc": utc(),
            "versions": status_page.versions(),
            "lock": status_page.lock_digest(ROOT / "requirements.lock"),
        },
    )
    write_atomic(stage / f"{status_page.PAGE}.md", markdown.encode("utf-8"))


# jupyter-book's builders this book uses: the site, and the whole book as one
# page, which `make pdf` prints (scripts/print_pdf.py)
BUILDERS = ("html", "singlehtml")


def build(profile: str, builder: str = "html") -> int:
    stage = staged(profile)
    missing = [
        nb.stem for nb in chapters() if not (stage / nb.relative_to(ROOT)).exists()
    ]
    if missing:
        print(
            f"not executed with profile {profile}: {', '.join(missing)}; "
            f"run `python scripts/book.py execute --profile {profile}` first",
            file=sys.stderr,
        )
        return 1
    for name in BOOK_FILES:
        copy_atomic(ROOT / name, stage / name)
    for folder in ("_static", "book"):  # the book's CSS and scripts; its pages
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix != ".ipynb":
                copy_atomic(path, stage / path.relative_to(ROOT))
    status(stage, profile)
    # the drawing page works in the site only: on paper it is a picture of a box
    if builder == "html" and drawing_page(stage) != 0:
        return 1
    # a fresh output folder: pages of chapters since renamed or removed would
    # otherwise stay in it, unlisted but published with the rest
    shutil.rmtree(ROOT / "_build" / builder, ignore_errors=True)
    # --all: Sphinx does not re-read pages for every configuration change
    # (nb_merge_streams, say)
    command = [
        "jupyter-book",
        "build",
        str(stage),
        "--builder",
        builder,
        "--path-output",
        str(ROOT),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
    print("$", " ".join(command), flush=True)
    returncode = subprocess.run(command).returncode
    if returncode == 0 and builder == "singlehtml":
        one_page_at_the_top(ROOT / "_build" / builder)
    return returncode


def one_page_at_the_top(folder: Path) -> None:
    """Sphinx writes the one page under the root's name (``book/intro.html``), yet
    links its styles, scripts and figures as from the top folder, where
    sphinx-external-toc leaves only a redirect (``index.html``): the page goes
    there, so it finds what it links to."""
    root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    (folder / f"{root}.html").replace(folder / "index.html")


# ONNX Runtime Web, from npm, for the drawing page; copied into the book, so
# the built book runs the network with no connection to anything
ORT_PACKAGE = "onnxruntime-web@1.30.0"
ORT_FILES = (
    "ort.wasm.min.js",
    "ort-wasm-simd-threaded.mjs",
    "ort-wasm-simd-threaded.wasm",
)


def onnxruntime_web() -> Path:
    """The ONNX Runtime Web files, unpacked once into ``_build/npm/`` from npm."""
    cache = ROOT / "_build" / "npm" / ORT_PACKAGE.replace("@", "-")
    if all((cache / name).exists() for name in ORT_FILES):
        return cache
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", ORT_PACKAGE, "--silent"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as package:
            wanted = [package.getmember(f"package/dist/{name}") for name in ORT_FILES]
            package.extractall(tmp, members=wanted, filter="data")
        cache.mkdir(parents=True, exist_ok=True)
        for name in ORT_FILES:
            shutil.copy2(Path(tmp) / "package" / "dist" / name, cache / name)
    return cache


def drawing_page(stage: Path) -> int:
    """The drawing page's static files: ONNX Runtime Web and the build's network."""
    target = stage / "_static" / "ort"
    target.mkdir(parents=True, exist_ok=True)
    for path in onnxruntime_web().iterdir():
        # not copy2's: a fresh mtime (Sphinx skipped npm's 1985 ones)
        copy_atomic(path, target / path.name, keep_time=False)
    command = [sys.executable, str(ROOT / "scripts" / "export_model.py"), str(stage)]
    return subprocess.run(command).returncode


def archive(profile: str) -> int:
    """Copy the metrics that ``profile``'s runs left in ``_build/<profile>/results``
    into ``helpers/archive/<profile>/``, replacing older files of the same model."""
    source = staged(profile) / "results"
    target = ARCHIVE / profile
    copied = archive_members(profile)
    for path in sorted(source.glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("profile") != profile or "test_accuracy" not in record:
            continue  # a run with other parameters written to the same folder
        record.pop(
            "test_predictions", None
        )  # 10,000 labels each: the CSV file's business
        target.mkdir(parents=True, exist_ok=True)
        (target / path.name).write_text(
            json.dumps(record, indent=2, sort_keys=True) + "\n"
        )
        copied += 1
    if not copied:
        print(
            f"no {profile} metrics in {source}: run "
            f"`python scripts/book.py execute --profile {profile}` first",
            file=sys.stderr,
        )
        return 1
    print(f"archived {copied} {profile} metrics files from {source} in {target}")
    return 0


def archive_members(profile: str) -> int:
    """Copy the stored ensemble networks of ``profile`` (their records and test-set
    probabilities, not the networks) into the archive; returns how many."""
    copied = 0
    for record_path in sorted(
        (staged(profile) / "results" / members.FOLDER).glob("*/net-*.json")
    ):
        probabilities = record_path.with_suffix(".npz")
        if (
            json.loads(record_path.read_text()).get("profile") != profile
            or not probabilities.exists()
        ):
            continue
        folder = ARCHIVE / profile / members.FOLDER / record_path.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(probabilities, folder / probabilities.name)
        shutil.copy2(
            record_path, folder / record_path.name
        )  # last: the network counts as done
        copied += 1
    if copied:
        print(
            f"archived {copied} {profile} ensemble networks "
            f"in {ARCHIVE / profile / members.FOLDER}"
        )
    return copied


# --- the repository: _config.yml's repository.url and branch are the truth ---

# The install cell names the branch only when it is not this one: pip installs a
# repository's default branch, which is `main` for this book and its forks.
DEFAULT_BRANCH = "main"
OWNER = r"[A-Za-z0-9][A-Za-z0-9-]*"  # a GitHub user or organisation
NAME = r"[A-Za-z0-9._-]+"  # a repository
REF = r"[A-Za-z0-9._/-]+"  # a branch this book accepts
GITHUB_URL = re.compile(rf"https://github\.com/(?P<owner>{OWNER})/(?P<name>{NAME})")
# where these files name a repository; in a notebook's JSON text a quote is \"
COLAB_LINK = re.compile(
    rf"https://colab\.research\.google\.com/github/(?P<owner>{OWNER})/(?P<name>{NAME})"
    rf"/blob/(?P<branch>{REF}?)/(?P<file>book/[^\s\"'()\\]+?\.ipynb)"
)
INSTALL_REPOSITORY = re.compile(
    rf'(?P<head>REPOSITORY = \\?")(?P<url>https://github\.com/{OWNER}/{NAME})(?=\\?")'
)
INSTALL_PIP = re.compile(rf"git\+\{{REPOSITORY\}}(?:@(?P<ref>{REF}))?(?=\\?\")")
SITE_ADDRESS = re.compile(
    rf"https://(?P<owner>{OWNER})\.github\.io(?:/(?P<name>{NAME}))?/?"
)
# these documents may link to other projects' repositories or sites: list them
# here, as https://github.com/OWNER/NAME or their site address
OTHER_PROJECTS: tuple[str, ...] = ()
# Markdown that names the repository: the intro links the latest release's files
DOCUMENTS = ("README.md", "CONTRIBUTING.md", "book/intro.md")


def repository(root: Path | None = None) -> tuple[str, str]:
    """The book's repository URL and branch, from ``_config.yml``."""
    config = yaml.safe_load(((root or ROOT) / "_config.yml").read_text())
    section = config.get("repository") or {}
    return str(section.get("url", "")), str(section.get("branch", DEFAULT_BRANCH))


def parse_repository(url: str) -> tuple[str, str]:
    """``(owner, name)`` of ``https://github.com/OWNER/NAME`` (a trailing ``.git``
    or slash is allowed); ValueError for anything else."""
    match = GITHUB_URL.fullmatch(url.removesuffix("/").removesuffix(".git"))
    if not match:
        raise ValueError(f"{url!r} is not https://github.com/OWNER/NAME")
    return match["owner"], match["name"]


def check_branch(branch: str) -> str:
    if not re.fullmatch(REF, branch) or ".." in branch or branch.endswith("/"):
        raise ValueError(f"{branch!r} is not a branch name this book can link to")
    return branch


def site_address(owner: str, name: str) -> str:
    """The GitHub Pages address of the repository's site."""
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def _pip_ref(branch: str) -> str:
    return "" if branch == DEFAULT_BRANCH else f"@{branch}"


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # bytes: line endings stay as they are


def _write(path: Path, text: str) -> bool:
    if text == _read(path):
        return False
    path.write_bytes(text.encode("utf-8"))
    return True


def _configured(text: str, url: str, branch: str) -> str:
    """``_config.yml``'s text with ``url`` and ``branch`` in its ``repository:``
    block; every other byte as it was."""
    block = re.search(r"(?m)^repository:[ \t]*\r?\n(?:(?:[ \t]+\S.*)?\r?\n)*", text)
    if not block:
        raise ValueError("_config.yml has no repository: section")
    section = block[0]
    for key, value in (("url", url), ("branch", branch)):
        line = re.compile(rf"(?m)^([ \t]+{key}:[ \t]*)[^\s#]*")
        if line.search(section):
            section = line.sub(lambda m, v=value: m[1] + v, section, count=1)
        else:
            indent = re.match(r"[ \t]+", section.splitlines()[1])
            section = section.replace(
                "\n", f"\n{indent[0] if indent else '  '}{key}: {value}\n", 1
            )
    return text[: block.start()] + section + text[block.end() :]


def set_repository(url: str, branch: str | None = None) -> list[Path]:
    """Name ``url`` (and ``branch``, else the configured one) everywhere: in
    ``_config.yml``, in every chapter's Colab links and install cell, and in the
    README's, CONTRIBUTING.md's and the intro's links and site address. Notebooks
    are edited as text, so nothing but those strings changes. Returns the changed
    files."""
    owner, name = parse_repository(url)
    url = f"https://github.com/{owner}/{name}"
    old_url, old_branch = repository()
    branch = check_branch(branch or old_branch)
    colab = f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/"
    changed = []

    def links(text: str) -> str:
        return COLAB_LINK.sub(lambda m: colab + m["file"], text)

    config = ROOT / "_config.yml"
    if _write(config, _configured(_read(config), url, branch)):
        changed.append(config)
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        text = links(_read(notebook))
        text = INSTALL_REPOSITORY.sub(lambda m: m["head"] + url, text)
        text = INSTALL_PIP.sub("git+{REPOSITORY}" + _pip_ref(branch), text)
        if _write(notebook, text):
            changed.append(notebook)
    try:
        old = parse_repository(old_url)
    except ValueError:
        old = None
    for document in (ROOT / document for document in DOCUMENTS):
        if not document.exists():
            continue
        text = links(_read(document))
        if old:
            text = re.sub(
                re.escape(f"https://github.com/{old[0]}/{old[1]}") + r"(?![\w.-])",
                url,
                text,
            )
            text = text.replace(site_address(*old), site_address(owner, name))
        if _write(document, text):
            changed.append(document)
    return changed


def repository_problems() -> list[str]:
    """Every place that names another repository or branch than ``_config.yml``
    (its ``repository.url`` and ``branch``); empty when all agree."""
    url, branch = repository()
    try:
        owner, name = parse_repository(url)
        check_branch(branch)
    except ValueError as error:
        return [f"_config.yml: repository: {error}"]
    if url != f"https://github.com/{owner}/{name}":
        return [f"_config.yml: write the url as https://github.com/{owner}/{name}"]
    problems = []

    def check_links(where: str, text: str) -> None:
        for link in COLAB_LINK.finditer(text):
            found = (link["owner"], link["name"], link["branch"])
            if found != (owner, name, branch):
                problems.append(
                    f"{where}: Colab link to {'/'.join(found[:2])}, branch "
                    f"{found[2]}: {link[0]}"
                )
            elif "<" not in link["file"] and not (ROOT / link["file"]).exists():
                problems.append(f"{where}: Colab link to a missing file: {link[0]}")

    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        where = f"book/{notebook.name}"
        for cell in json.loads(_read(notebook))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                check_links(where, source)
                continue
            if cell["cell_type"] != "code":
                continue
            installs = INSTALL_REPOSITORY.findall(source)
            if "google.colab" in source and "%pip install" in source and not installs:
                problems.append(f"{where}: its Colab install cell has no REPOSITORY")
            for match in INSTALL_REPOSITORY.finditer(source):
                if match["url"] != url:
                    problems.append(f"{where}: REPOSITORY = {match['url']!r}")
            for match in INSTALL_PIP.finditer(source):
                ref = match["ref"] or DEFAULT_BRANCH
                if ref != branch:
                    problems.append(
                        f"{where}: installs helpers from branch {ref}: {match[0]}"
                    )
    others = {project.rstrip("/") for project in OTHER_PROJECTS}
    site = site_address(owner, name)
    for document in DOCUMENTS:
        path = ROOT / document
        if not path.exists():
            continue
        text = _read(path)
        check_links(document, text)
        for link in GITHUB_URL.finditer(text):
            named = link[0].rstrip(".").removesuffix(".git")  # end of a sentence
            if named != url and named not in others:
                problems.append(f"{document}: names the repository {named}")
        for address in SITE_ADDRESS.finditer(text):
            if address[0].rstrip("/") not in others and address[0] != site:
                problems.append(f"{document}: names the site {address[0]}")
    if site not in _read(ROOT / "README.md"):
        problems.append(f"README.md: does not name the book's site {site}")
    return problems


def set_or_check_repository(url: str | None, branch: str | None) -> int:
    if url:
        try:
            changed = set_repository(url, branch)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
        for path in changed:
            print(f"rewrote {path.relative_to(ROOT)}")
        if not changed:
            print("every file already named this repository and branch")
    elif branch:
        print("--branch needs the repository's URL", file=sys.stderr)
        return 1
    problems = repository_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    url, branch = repository()
    print(f"every file names {url}, branch {branch}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command", choices=["execute", "build", "archive", "repository"]
    )
    parser.add_argument(
        "url",
        nargs="?",
        help="repository: https://github.com/OWNER/NAME to name everywhere "
        "(without it, only check that every file names _config.yml's)",
    )
    parser.add_argument(
        "--branch", help="repository: the branch Colab opens and installs from"
    )
    parser.add_argument(
        "--profile", default="standard", choices=list(profiles.PROFILES)
    )
    parser.add_argument(
        "--builder",
        default="html",
        choices=BUILDERS,
        help="build: the site (html) or the book as one page (singlehtml)",
    )
    parser.add_argument(
        "--chapter", action="append", help="only this chapter stem (repeatable)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="execute: chapters executed at once, each in its own process",
    )
    args = parser.parse_args(argv)
    if args.command == "repository":
        return set_or_check_repository(args.url, args.branch)
    if args.url or args.branch:
        parser.error(f"{args.command} takes no URL or --branch")
    if args.command == "execute":
        return execute(args.profile, args.chapter, args.jobs)
    if args.command == "archive":
        return archive(args.profile)
    return build(args.profile, args.builder)


if __name__ == "__main__":
    sys.exit(main())
