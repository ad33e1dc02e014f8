"""opennotice serve"""

from __future__ import annotations

import typer
import uvicorn

app = typer.Typer()


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port"),
    workers: int = typer.Option(1, help="server processes"),
) -> None:
    """Serve the API, the public service and the websites."""
    uvicorn.run(
        "opennotice.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,  # access logs would carry notice ids and names in query strings
    )
