"""Test defaults: strict mode (bad input raises), fresh global recording per test."""
from __future__ import annotations

import pytest

import annoview as rr


@pytest.fixture(autouse=True)
def _strict_mode():
    rr.set_strict_mode(True)
    yield
    rr.set_strict_mode(True)


@pytest.fixture(autouse=True)
def _config_dir(tmp_path_factory, monkeypatch):
    """The viewer's per-user settings go to a temporary folder, never the real home."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("ANNOVIEW_CONFIG_DIR", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    yield folder


@pytest.fixture
def mem():
    """A fresh global recording kept in memory."""
    rr.init("test", recording_id="test-rec")
    sink = rr.memory_recording()
    yield sink
    rr.get_global_data_recording().close()


def store_of(sink):
    rr.flush()
    return sink.to_store()


def pytest_addoption(parser):
    parser.addoption("--regen-reference", action="store_true", default=False,
                     help="rewrite tests/reference/*.png from the current rendering instead of comparing")
