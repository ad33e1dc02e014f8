"""The compiled engine runs only when built from the current sources, and gives the same
results as the Python sources."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import opennotice.matching as matching
from opennotice.matching import _implementation as impl

PACKAGE_DIR = Path(impl.__file__).resolve().parent
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package_copy(tmp_path: Path, *, compiled: bool) -> Path:
    """The compiled modules' sources in a directory, with (fake) extensions and a manifest
    recording their digest when ``compiled``."""
    for name in impl.COMPILED_MODULES:
        shutil.copy(PACKAGE_DIR / f"{name}.py", tmp_path / f"{name}.py")
        if compiled:
            (tmp_path / f"{name}{SUFFIX}").write_bytes(b"")
    if compiled:
        digest = impl.source_digest(tmp_path)
        (tmp_path / impl.MANIFEST.name).write_text(json.dumps({"digest": digest}))
    return tmp_path


def test_extensions_built_from_these_sources_may_run(tmp_path: Path) -> None:
    directory = _package_copy(tmp_path, compiled=True)
    assert impl._why_not_compiled(directory, {}) is None


def test_changed_sources_send_the_engine_back_to_python(tmp_path: Path) -> None:
    directory = _package_copy(tmp_path, compiled=True)
    scoring = directory / "scoring.py"
    scoring.write_text(scoring.read_text() + "\n# edited after the build\n")
    why = impl._why_not_compiled(directory, {})
    assert why is not None and "changed" in why


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_the_environment_can_ask_for_the_python_sources(tmp_path: Path, value: str) -> None:
    directory = _package_copy(tmp_path, compiled=True)
    assert impl._why_not_compiled(directory, {impl.PURE_PYTHON_ENV: value}) is not None
    assert impl._why_not_compiled(directory, {impl.PURE_PYTHON_ENV: "0"}) is None


def test_missing_or_unreadable_builds_are_not_run(tmp_path: Path) -> None:
    directory = _package_copy(tmp_path, compiled=False)
    assert "not compiled" in (impl._why_not_compiled(directory, {}) or "")
    (directory / impl.MANIFEST.name).write_text("{not json")
    assert "unreadable" in (impl._why_not_compiled(directory, {}) or "")
    (directory / impl.MANIFEST.name).write_text(
        json.dumps({"digest": impl.source_digest(directory)})
    )
    assert "missing" in (impl._why_not_compiled(directory, {}) or "")


def test_a_partial_build_is_not_run(tmp_path: Path) -> None:
    """Compiled modules call each other directly: all of them run, or none."""
    directory = _package_copy(tmp_path, compiled=True)
    (directory / f"index{SUFFIX}").unlink()
    assert "missing" in (impl._why_not_compiled(directory, {}) or "")


def test_the_source_finder_serves_the_listed_modules_from_their_sources(tmp_path: Path) -> None:
    directory = _package_copy(tmp_path, compiled=True)
    finder = impl._SourceFinder(directory, impl.COMPILED_MODULES)
    spec = finder.find_spec("opennotice.matching.scoring", None)
    assert spec is not None and spec.origin == str(directory / "scoring.py")
    assert finder.find_spec("opennotice.matching.mrz", None) is None
    assert finder.find_spec("opennotice.services.screening", None) is None


# A deterministic set of fictional people in several scripts, searched at two thresholds
# with explanations; printed as JSON so that two interpreters can be compared.
_RUN = r"""
import json, random, sys
import opennotice.matching as m
from opennotice.matching import NameIndex, PersonQuery, PersonRecord
rng = random.Random(7)
FAMILY = ["Varenko", "Oduya", "Lindqvist", "Mbeki-Tarr", "O'Sullane", "Mueller", "Müller",
          "Щербакова", "Петренко", "王", "欧阳", "김", "박", "Καραλή", "Παπαδάκης",
          "الحداد", "عبد الرحمن", "Haddad", "Nguyen", "Abdulrahman", "El-Sayed", "Chen"]
GIVEN = ["Ilona", "Tomasz", "Amara J.", "Jean-Luc", "Mohammed Ali", "Muhammad", "Анастасия",
         "Дмитрий", "小明", "建国", "민준", "서연", "Νικόλαος", "Ελένη", "محمد", "فاطمة",
         "Kwame", "Siobhan", "Hsiao-ming", "Xiaoming", "Ivan", "Yusuf"]
DATES = [None, "1970", "1984-03", "1984-03-07", "1984-07-03", "1985-03-07", "1990-12-31"]
def person(i):
    return (rng.choice(FAMILY), " ".join(rng.sample(GIVEN, rng.randint(1, 2))),
            rng.choice(DATES), rng.choice(["M", "F", None]),
            tuple(rng.sample(["DE", "RU", "CN", "KR", "GR", "EG", "IR"], rng.randint(0, 2))))
idx = NameIndex()
for i in range(1500):
    fam, giv, dob, sex, nats = person(i)
    idx.add(PersonRecord(f"r{i}", fam, giv, date_of_birth=dob, sex=sex, nationalities=nats,
                         aliases=(f"{giv} {fam}",) if i % 7 == 0 else (),
                         restricted_from=frozenset({"FR"}) if i % 11 == 0 else frozenset()))
out = []
for i in range(300):
    fam, giv, dob, sex, nats = person(i)
    if i % 3 == 0:
        fam, giv = giv, fam
    q = PersonQuery(fam, giv, date_of_birth=dob, sex=sex, nationalities=nats)
    for threshold in (0.8, 0.55):
        for hit in idx.search(q, member="FR", threshold=threshold, limit=5):
            out.append([i, threshold, hit.key, hit.score, hit.explanation])
print(json.dumps({"implementation": m.IMPLEMENTATION, "hits": out}, sort_keys=True,
                 ensure_ascii=False))
"""


def _run(pure: bool) -> dict[str, object]:
    env = dict(os.environ)
    env.pop(impl.PURE_PYTHON_ENV, None)
    if pure:
        env[impl.PURE_PYTHON_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _RUN], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_compiled_and_python_engines_give_the_same_results() -> None:
    if os.environ.get(impl.PURE_PYTHON_ENV):
        pytest.skip("this run asked for the Python sources")
    if matching.IMPLEMENTATION != "compiled":
        reason = f"the compiled engine is not in use here: {matching.IMPLEMENTATION_REASON}"
        if os.environ.get("OPENNOTICE_REQUIRE_COMPILED") == "1":
            pytest.fail(reason + " (OPENNOTICE_REQUIRE_COMPILED=1)")
        pytest.skip(reason)
    compiled, pure = _run(pure=False), _run(pure=True)
    assert compiled["implementation"] == "compiled"
    assert pure["implementation"] == "python"
    hits = compiled["hits"]
    assert isinstance(hits, list) and len(hits) > 100  # the comparison covers something
    assert {h[1] for h in hits} == {0.8, 0.55}
    assert hits == pure["hits"]
