"""Compile the matching engine's query path with mypyc (``make compile``).

    .venv/bin/python scripts/compile_matching.py [--clean]

Builds ``opennotice.matching``'s :data:`COMPILED_MODULES` into C extensions beside their
sources (one shared library, ``_native__mypyc``), then records the digest of the sources it
compiled in ``_compiled.json``; the package runs the extensions only while that digest
matches (``opennotice/matching/_implementation.py``). Without a C compiler and the Python
headers, or if the build fails, it says why, leaves the Python sources in charge and exits
0: the engine gives the same results either way, only slower. ``--clean`` removes what an
earlier build left.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE_DIR = SRC / "opennotice" / "matching"


def _implementation_module() -> object:
    """``opennotice/matching/_implementation.py`` alone: importing the package would load
    the extensions this script is about to replace (and fail on sources that do not)."""
    spec = importlib.util.spec_from_file_location(
        "opennotice_matching_implementation", PACKAGE_DIR / "_implementation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_impl = _implementation_module()
COMPILED_MODULES: tuple[str, ...] = _impl.COMPILED_MODULES  # type: ignore[attr-defined]
GROUP_NAME: str = _impl.GROUP_NAME  # type: ignore[attr-defined]
MANIFEST: Path = _impl.MANIFEST  # type: ignore[attr-defined]
source_digest = _impl.source_digest  # type: ignore[attr-defined]


def _built_files() -> list[Path]:
    out: list[Path] = []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        out.extend(PACKAGE_DIR.glob(f"*{suffix}"))
    return out


def clean() -> None:
    for path in [MANIFEST, *_built_files()]:
        path.unlink(missing_ok=True)
    shutil.rmtree(ROOT / "build" / "mypyc", ignore_errors=True)


def _cannot_build() -> str | None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler}) on this machine"
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").exists():
        return f"no Python headers ({include}/Python.h)"
    try:
        import mypyc  # noqa: F401
    except ImportError:
        return "mypyc is not installed (pip install -e '.[dev]')"
    return None


def build() -> int:
    clean()
    why = _cannot_build()
    if why is not None:
        print(f"matching engine not compiled: {why}; the Python sources run (slower).")
        return 0
    from mypyc.build import mypycify
    from setuptools import setup

    digest = source_digest()
    sources = [f"opennotice/matching/{name}.py" for name in COMPILED_MODULES]
    temp = ROOT / "build" / "mypyc"
    previous = Path.cwd()
    os.chdir(SRC)  # mypyc names the modules by their paths from here
    try:
        with tempfile.TemporaryFile("w+", errors="replace") as log:
            # setuptools and the compiler talk a lot; kept unless the build fails
            saved = os.dup(1), os.dup(2)
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            try:
                setup(
                    name="opennotice-matching-compiled",
                    ext_modules=mypycify(
                        ["--cache-dir", str(temp / "mypy-cache"), *sources],
                        opt_level="3",
                        group_name=GROUP_NAME,
                        target_dir=str(temp),
                    ),
                    script_args=[
                        "build_ext",
                        "--inplace",
                        "--build-temp",
                        str(temp / "obj"),
                        "--build-lib",
                        str(temp / "lib"),
                    ],
                )
                failure = None
            except (Exception, SystemExit) as exc:  # a failed build leaves Python in charge
                failure = f"{type(exc).__name__}: {exc}"
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
            if failure is not None:
                log.seek(0)
                sys.stderr.write(log.read()[-4000:])
    finally:
        os.chdir(previous)
    if failure is not None or source_digest() != digest:
        clean()
        reason = failure or "the sources changed during the build"
        print(f"matching engine not compiled: {reason}; the Python sources run (slower).")
        return 0
    MANIFEST.write_text(
        json.dumps({"digest": digest, "modules": list(COMPILED_MODULES)}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"matching engine compiled: {', '.join(COMPILED_MODULES)}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = ap.parse_args()
    if args.clean:
        clean()
        print("matching engine: compiled modules removed; the Python sources run.")
        return 0
    return build()


if __name__ == "__main__":
    sys.exit(main())
