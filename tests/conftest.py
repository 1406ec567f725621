import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TRACKER_DATA_DIR", str(ROOT / "data" / "pytest-unused"))
# The app skips Altair's schema check on each rerun (pages/charts.py); the tests keep it, on every chart.
os.environ["TRACKER_CHECK_CHARTS"] = "1"

from warehouse.config import load_settings  # noqa: E402
from warehouse.store import Store  # noqa: E402


def pytest_configure(config):
    # As in the app (warehouse/data.py): the reader reads a DB-API result through Arrow on purpose (the
    # relation API DuckDB's warning suggests was slower here); pytest resets the module's own filter per test.
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A warehouse of its own for one test."""
    directory = tmp_path / "warehouse"
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    return directory


@pytest.fixture
def store(data_dir) -> Store:
    return Store(load_settings())


@pytest.fixture
def exports_dir(tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Store:
    """The demo school loaded once for the whole run, as `python -m warehouse demo` loads it. Read only."""
    from warehouse.__main__ import main as cli

    data_dir = tmp_path_factory.mktemp("demo") / "warehouse"
    before = os.environ.get("TRACKER_DATA_DIR")
    os.environ["TRACKER_DATA_DIR"] = str(data_dir)
    try:
        assert cli(["demo", "--quiet"]) == 0
        yield Store(load_settings())
    finally:
        os.environ["TRACKER_DATA_DIR"] = before or ""


@pytest.fixture
def demo_env(demo, monkeypatch) -> Store:
    """The demo warehouse as the app's (TRACKER_DATA_DIR) for one test."""
    monkeypatch.setenv("TRACKER_DATA_DIR", str(demo.data_dir))
    return demo
