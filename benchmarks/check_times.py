"""Where `make test` spends its time: each stage timed, then the slowest tests
and each chapter's execution.

    python benchmarks/check_times.py              # every stage of `make test`
    python benchmarks/check_times.py --fresh      # from an empty _build/smoke
    python benchmarks/check_times.py unit nbval   # only these stages

The stages are read from the Makefile's ``test:`` line, and each runs as
``make STAGE PROFILE=smoke`` with ``--durations`` for pytest, so the breakdown
follows the Makefile when it changes. Every stage's output is kept in
``_build/test-stages/STAGE.log``. A stage that fails is reported, and the
others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "_build" / "test-stages"
SLOWEST = re.compile(r"^\s*([\d.]+)s call\s+(\S+)", re.MULTILINE)


def stages(makefile: Path = ROOT / "Makefile") -> list[str]:
    """The prerequisites of the Makefile's ``test`` target, in order."""
    for line in makefile.read_text().splitlines():
        if line.startswith("test:") and "=" not in line:
            return line.split(":", 1)[1].split()
    raise SystemExit("no `test:` line in the Makefile")


def cpu() -> str:
    """The CPU model and the cores this process may use."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found[1].strip() if found else model
    return f"{model}, {len(os.sched_getaffinity(0))} cores"


def chapter_seconds(executed: Path) -> dict[str, float]:
    """Seconds of each executed chapter, from papermill's record in the notebook."""
    found = {}
    for path in sorted(executed.glob("*.ipynb")):
        meta = json.loads(path.read_text()).get("metadata", {}).get("papermill", {})
        if meta.get("duration") is not None:
            found[path.stem] = float(meta["duration"])
    return found


def run(stage: str) -> tuple[float, int, str]:
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTEST_ADDOPTS": "--durations=15"}
    start = time.perf_counter()
    with (LOGS / f"{stage}.log").open("w") as log:
        code = subprocess.run(
            ["make", stage, "PROFILE=smoke"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        ).returncode
    return time.perf_counter() - start, code, (LOGS / f"{stage}.log").read_text()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", nargs="*", help="stages to run (default: all)")
    parser.add_argument(
        "--fresh", action="store_true", help="start from an empty _build/smoke"
    )
    args = parser.parse_args(argv)
    if args.fresh:
        shutil.rmtree(ROOT / "_build" / "smoke", ignore_errors=True)
    print(f"make test's stages on {cpu()}", flush=True)
    total, failed, slow = 0.0, [], []
    for stage in args.stage or stages():
        seconds, code, output = run(stage)
        total += seconds
        print(f"{stage:<12}{seconds:8.1f} s" + (f"  FAILED ({code})" if code else ""))
        if code:
            failed.append(stage)
        slow += [(float(s), f"{stage}: {t}") for s, t in SLOWEST.findall(output)]
    print(f"{'total':<12}{total:8.1f} s ({total / 60:.1f} min)")
    print("\nslowest tests:")
    for seconds, test in sorted(slow, reverse=True)[:12]:
        print(f"{seconds:8.1f} s  {test[:100]}")
    chapters = chapter_seconds(ROOT / "_build" / "smoke" / "book")
    if chapters:
        print("\nchapters of the smoke build (papermill's seconds):")
        for stem, seconds in chapters.items():
            print(f"{stem:<20}{seconds:8.1f} s")
        print(f"{'sum':<20}{sum(chapters.values()):8.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
