"""The console script: the command's exit status, then a process whose memory is frozen before
the interpreter's last collections (they walked a whole screening index: 15 s at exit)."""

from __future__ import annotations

import gc
import sys

import pytest

from opennotice.cli.main import main


@pytest.mark.parametrize(("argv", "status"), [(["--help"], 0), (["screen", "--no-such"], 2)])
def test_the_script_keeps_the_commands_status_and_freezes_what_is_alive(
    argv: list[str], status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.unfreeze()
    alive = [[n] for n in range(1000)]  # tracked objects, alive when the command ends
    monkeypatch.setattr(sys, "argv", ["opennotice", *argv])
    try:
        with pytest.raises(SystemExit) as ended:
            main()
        assert ended.value.code == status
        assert gc.get_freeze_count() >= len(alive)
    finally:
        gc.unfreeze()  # this process goes on: the other tests need a working collector
