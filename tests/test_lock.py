"""pyproject.toml and requirements.lock must agree: every declared requirement is pinned, within its range.

The lock is what `make` installs; pyproject's ranges are for people installing the package into their own
environment. If someone edits one without the other (`make lock` refreshes the lock), this fails.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s\\;]+)", re.M)


def locked() -> dict[str, Version]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(re.sub(r"\[.*\]", "", n)): Version(v) for n, v in PIN.findall(text)}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_declared_requirement_is_locked_within_its_range():
    pins = locked()
    problems = []
    for req in declared():
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: locked {version} is outside {req.specifier}")
    assert not problems, "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_torch_is_the_cpu_build():
    assert str(locked()["torch"]).endswith("+cpu")


def test_a_broken_range_is_caught():  # the check itself can fail
    pins = locked()
    req = Requirement("fastapi<0.1")
    assert not req.specifier.contains(pins["fastapi"])
