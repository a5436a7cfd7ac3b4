"""Every chapter at smoke size, run the way a Colab user runs it (`make colab-check`).

    python scripts/colab_check.py requirements   # what Colab ships that chapters use
    python scripts/colab_check.py run            # every chapter, into _build/colab/

A Colab user has Colab's own TensorFlow, Keras and pandas, installs only the
``helpers`` package (the chapters' Setup cell), and runs a notebook with
papermill or by hand. ``run`` does that with the Python running it: it fails
unless the kernels import ``helpers`` from an installed package (not from this
checkout), then executes every chapter of ``_toc.yml`` with the smoke profile's
parameters, the results chapter last, all writing to one results folder, as the
book's build does. The executed notebooks land in ``_build/colab/``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "colab"
# What Colab preinstalls that the chapters use, besides what the helpers package
# declares (tests/standalone/test_notebook_alone.py: PREINSTALLED): installed in
# the local check's fresh environment at the newest versions requirements.txt allows
PREINSTALLED = ("tensorflow", "keras", "pandas", "papermill", "ipykernel")


def requirements() -> list[str]:
    """The lines of requirements.txt for PREINSTALLED, comments dropped."""
    found = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        spec = line.split("#")[0].strip()
        name = re.match(r"[A-Za-z0-9_.-]+", spec)
        if name and name[0].lower() in PREINSTALLED:
            found[name[0].lower()] = spec
    missing = set(PREINSTALLED) - set(found)
    if missing:
        raise SystemExit(f"requirements.txt lists no {', '.join(sorted(missing))}")
    return [found[name] for name in PREINSTALLED]


def clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH: the Makefile points it at this
    checkout, which a Colab user does not have."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def installed_helpers(where: Path) -> str:
    """Where a kernel started in ``where`` finds ``helpers``; it must not be
    this checkout."""
    found = subprocess.run(
        [sys.executable, "-c", "import helpers; print(helpers.__file__)"],
        cwd=where,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if Path(found).resolve().is_relative_to(ROOT / "helpers"):
        raise SystemExit(f"helpers comes from this checkout ({found}), not a package")
    return found


def versions() -> str:
    """Python, TensorFlow and Keras as the kernels will see them."""
    code = (
        "import platform, tensorflow as tf, keras; "
        "print(f'Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        "Keras {keras.__version__}')"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean_env(), "TF_CPP_MIN_LOG_LEVEL": "3"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def run() -> int:
    import papermill

    import book  # scripts/book.py: the chapters of _toc.yml, in execution order
    from helpers import profiles

    os.environ.pop("PYTHONPATH", None)  # the kernels papermill starts inherit it
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"helpers from {installed_helpers(OUT)}")
    print(versions(), flush=True)
    failed = []
    start = time.perf_counter()
    for notebook in book.in_execution_order(book.chapters()):
        declared = set(papermill.inspect_notebook(str(notebook)))
        parameters = profiles.parameters("smoke", notebook.stem, declared)
        if "RESULTS_DIR" in declared:
            parameters["RESULTS_DIR"] = "results"  # one folder, as the book's build
        began = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(notebook),
                str(OUT / notebook.name),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(OUT),
                progress_bar=False,
                # over local sockets: ipykernel 7 warns on every start over TCP
                kernel_manager_class=book.kernel_manager_class(),
            )
        except Exception as error:  # papermill names the cell and shows the traceback
            print(f"{notebook.stem}: FAILED: {error}", file=sys.stderr)
            failed.append(notebook.stem)
            continue
        print(f"{notebook.stem}: done in {time.perf_counter() - began:.0f} s")
    print(f"every chapter in {time.perf_counter() - start:.0f} s -> {OUT}")
    if failed:
        print(f"failed chapters: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["requirements", "run"])
    args = parser.parse_args(argv)
    if args.command == "requirements":
        print("\n".join(requirements()))
        return 0
    return run()


if __name__ == "__main__":
    sys.exit(main())
