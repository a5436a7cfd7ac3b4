"""The line every benchmark prints first: which CPU its numbers come from."""

from __future__ import annotations

import os

from helpers.results import cpu


def describe() -> str:
    machine = cpu()
    features = " ".join(machine.get("cpu_features", [])) or "none of note"
    return f"CPU: {machine['cpu']}, {os.cpu_count()} cores, features: {features}"
