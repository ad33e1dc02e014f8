"""The collector helpers: a pause restores what was there, settling freezes what is alive."""

from __future__ import annotations

import gc

import pytest

from opennotice.collector import collector_paused, settle_collector


def test_a_pause_turns_the_collector_off_and_back_on() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_ended_by_an_error_still_turns_it_back_on() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the build failed")
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_settling_the_collector_freezes_what_is_alive() -> None:
    before = gc.get_freeze_count()
    kept = [[i] for i in range(1000)]  # containers the collector tracks
    try:
        settle_collector()
        assert gc.get_freeze_count() >= before + len(kept)
    finally:
        gc.unfreeze()
