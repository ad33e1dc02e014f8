"""One settings object, read from the environment once and passed down."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENNOTICE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'opennotice.sqlite3'}",
        description="SQLAlchemy URL; PostgreSQL through postgresql+psycopg://",
    )
    # Key of the HMAC that stores API tokens; when unset it is kept in a file beside the data.
    secret_key: str | None = None
    secret_key_file: Path = DEFAULT_DATA_DIR / "secret.key"
    # Limits at the HTTP edge.
    max_body_bytes: int = 2 * 1024 * 1024
    max_photo_bytes: int = 5 * 1024 * 1024
    # A request body must arrive within body_seconds; an answer may take request_seconds.
    body_seconds: float = Field(default=30.0, gt=0)
    request_seconds: float = Field(default=120.0, gt=0)
    page_size_max: int = 200
    # A notice stays valid this many years, and renewal adds as many.
    validity_years: int = 5
    # Session cookies of the staff website.
    session_hours: float = 8.0
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    cookie_secure: bool = False
    # Index refresh across processes (seconds between polls of the change feed).
    index_poll_seconds: float = 0.5
    public_rate_per_minute: int = 600
    # A checked API token is remembered this many seconds by each server process (0: never).
    # A rotated or disabled token stops at once in the process that made the change, and
    # within this time in the others.
    token_cache_seconds: float = Field(default=1.0, ge=0.0, le=60.0)

    def resolve_secret_key(self) -> bytes:
        """The token-hashing key: from the environment, else from (or into) a 0600 file."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.secret_key_file
        if path.exists():
            return path.read_text().strip().encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.touch(mode=0o600)
        path.write_text(key)
        return key.encode()

    def ensure_sqlite_dir(self) -> None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            target = self.database_url[len(prefix) :]
            if target and target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
