"""requirements.lock pins, within requirements.txt's ranges, what CI installs.

`make lock` regenerates it (uv pip compile, Linux x86-64, Python 3.11); a range
changed in requirements.txt without `make lock` fails here.
"""

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)")


def requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def locked() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PIN.fullmatch(line.strip())
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        name = canonicalize_name(match["name"])
        assert name not in pins, f"requirements.lock pins {name} twice"
        pins[name] = Version(match["version"])
    return pins


def project_dependencies() -> list[Requirement]:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


REQUIREMENTS = requirements(ROOT / "requirements.txt")


def test_lock_holds_only_exact_pins():
    assert len(locked()) >= len(REQUIREMENTS)


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.name)
def test_every_requirement_is_locked_within_its_range(requirement):
    pins = locked()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"requirements.lock pins {name}=={pins[name]}, outside {requirement}: "
        "run `make lock`"
    )


def test_helpers_dependencies_are_locked_within_their_ranges():
    """`make install` installs the helpers package with --no-deps: the lock must
    already hold what pyproject.toml asks for."""
    pins = locked()
    for requirement in project_dependencies():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} (pyproject.toml) is not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement}"
        )


def test_lock_is_made_by_make_lock():
    header = (ROOT / "requirements.lock").read_text().splitlines()[:2]
    assert header[1].strip() == "#    make lock", header
    makefile = (ROOT / "Makefile").read_text()
    assert "--python-version 3.11 --python-platform x86_64-manylinux_2_28" in makefile
