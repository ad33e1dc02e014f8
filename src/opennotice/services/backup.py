"""Backups and restores of the whole database, for the operator at the server's console.

SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent copy taken while the
server keeps running. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, found on PATH or
under /usr/lib/postgresql/*/bin. Restoring refuses to overwrite a database that holds data unless
forced, and the audit chain of the restored database is verified at once.

The connection password is handed to the PostgreSQL tools through the environment, never on
their command line (where `ps` would show it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from opennotice.audit.chain import VerifyResult
from opennotice.errors import Conflict, NotFound, OpenNoticeError, ValidationFailed

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_SEARCH = "/usr/lib/postgresql"
# Tables whose rows show that a database is in use: every write leaves an audit event.
EVIDENCE_TABLES = ("audit_events", "users", "notices")


class ToolMissing(OpenNoticeError):
    status = 500
    type_slug = "tool-missing"
    title = "A required program is missing"


class BackupFailed(OpenNoticeError):
    status = 500
    type_slug = "backup-failed"
    title = "The backup or restore failed"


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    backend: str  # sqlite | postgresql


@dataclass(frozen=True, slots=True)
class RestoreResult:
    backend: str
    verify: VerifyResult


def backend_of(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise ValidationFailed(f"backups support SQLite and PostgreSQL databases, not '{name}'")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValidationFailed("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


# --- backup ----------------------------------------------------------------------------------


def backup(url: str, target: Path, *, force: bool = False) -> BackupResult:
    """Write a backup of the database at `url` to `target` (atomically: a temp file renamed)."""
    backend = backend_of(url)
    target = target.expanduser()
    if target.exists() and not force:
        raise Conflict(f"{target} exists; choose another file or pass --force to replace it")
    if target.is_dir():
        raise ValidationFailed(f"{target} is a directory; give a file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if backend == "sqlite":
            _sqlite_backup(sqlite_path(url), tmp)
        else:
            _pg_dump(make_url(url), tmp)
        os.chmod(tmp, 0o600)  # a backup holds personal data
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=target, size=target.stat().st_size, backend=backend)


def _sqlite_backup(source: Path, dest: Path) -> None:
    if not source.exists():
        raise NotFound(f"there is no database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
            # The copy stands alone: one file, no -wal beside it.
            out.execute("PRAGMA journal_mode=DELETE")
            out.commit()
        finally:
            out.close()
    finally:
        src.close()


def _pg_dump(url: URL, dest: Path) -> None:
    tool = find_pg_tool("pg_dump")
    args = [tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}"]
    _run_pg(args, url)


# --- restore ---------------------------------------------------------------------------------


def restore(url: str, source: Path, *, force: bool = False) -> RestoreResult:
    """Load the backup `source` into the database at `url`, then verify its audit chain."""
    backend = backend_of(url)
    source = source.expanduser()
    if not source.is_file():
        raise NotFound(f"there is no backup file at {source}")
    with source.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if backend == "sqlite" and not head.startswith(SQLITE_MAGIC):
        raise ValidationFailed(f"{source} is not a SQLite backup (made by opennotice backup)")
    if backend == "postgresql" and not head.startswith(PG_CUSTOM_MAGIC):
        raise ValidationFailed(f"{source} is not a PostgreSQL custom-format backup (pg_dump -Fc)")
    if not force and holds_data(url):
        raise Conflict(
            "the target database already holds data; restore into an empty database, "
            "or pass --force to replace everything in it"
        )
    if backend == "sqlite":
        _sqlite_restore(source, sqlite_path(url))
    else:
        if force:
            _pg_empty(url)
        _pg_restore(make_url(url), source)
    return RestoreResult(backend=backend, verify=verify_url(url))


def holds_data(url: str) -> bool:
    """True when any table that every use writes to has a row."""
    if backend_of(url) == "sqlite" and not sqlite_path(url).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            for table in EVIDENCE_TABLES:
                if table in present:
                    row = conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first()  # noqa: S608
                    if row is not None:
                        return True
        return False
    finally:
        engine.dispose()


def _sqlite_restore(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        integrity = src.execute("PRAGMA integrity_check").fetchone()
        if not integrity or integrity[0] != "ok":
            raise ValidationFailed(f"{source} is damaged (SQLite integrity check failed)")
        out = sqlite3.connect(dest, timeout=30)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=WAL")
            out.commit()
        finally:
            out.close()
    finally:
        src.close()


def _pg_empty(url: str) -> None:
    """Drop every table of the public schema, so tables unknown to the backup go too."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _pg_restore(url: URL, source: Path) -> None:
    tool = find_pg_tool("pg_restore")
    args = [
        tool, "--clean", "--if-exists", "--no-owner", "--no-privileges",
        "--single-transaction", "--exit-on-error", f"--dbname={url.database}", str(source),
    ]  # fmt: skip
    _run_pg(args, url)


# --- shared ----------------------------------------------------------------------------------


def verify_url(url: str) -> VerifyResult:
    """The `opennotice audit verify` check, on the database at `url`."""
    from opennotice.config import Settings
    from opennotice.services.audit import verify_log
    from opennotice.services.context import AppContext
    from opennotice.store.db import make_engine, make_session_factory

    engine = make_engine(url)
    read_engine = make_engine(url, immediate=False)
    try:
        ctx = AppContext(
            settings=Settings(database_url=url),
            engine=engine,
            session_factory=make_session_factory(engine),
            read_session_factory=make_session_factory(read_engine),
            secret_key=b"",  # verifying needs no key
        )
        return verify_log(ctx)
    finally:
        engine.dispose()
        read_engine.dispose()


def find_pg_tool(name: str, search: Sequence[str] | None = None) -> str:
    """The program on PATH, else the newest under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    roots = search if search is not None else [PG_SEARCH]
    candidates: list[tuple[int, Path]] = []
    for root in roots:
        base = Path(root)
        if not base.is_dir():
            continue
        for version_dir in base.iterdir():
            exe = version_dir / "bin" / name
            if exe.is_file() and os.access(exe, os.X_OK):
                major = int(version_dir.name) if version_dir.name.isdigit() else 0
                candidates.append((major, exe))
    if candidates:
        return str(max(candidates)[1])
    raise ToolMissing(
        f"'{name}' was not found on PATH nor under {PG_SEARCH}/*/bin; install the PostgreSQL "
        "client programs (e.g. apt-get install postgresql-client) of the server's version or newer"
    )


def _run_pg(args: list[str], url: URL) -> None:
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[var] = str(value)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0:
        # The tools' messages name tables and options, not row contents; keep the last lines.
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:]) or f"exit code {proc.returncode}"
        raise BackupFailed(f"{Path(args[0]).name} failed: {tail}")
