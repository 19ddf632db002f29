"""Issue 12, finding 8: the data folder holds password hashes, encrypted secrets and personal data,
so it is the service user's alone (0700) and every file the service writes in it is 0600,
the SQLite -wal and -shm files that SQLite creates later included.

The tests run under umask 022, a server's usual one, where a plain mkdir gives 0755 and SQLite
gives its files 0644."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import make_settings
from tests.foundation.test_hardening import NOW, START, iso
from tests.hearings.kit import draft_body
from tests.helpers import sign_in
from vc_service import demo, migrate
from vc_service.errors import ConfigError
from vc_service.http.app import create_app
from vc_service.services import Services


@pytest.fixture(autouse=True)
def server_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    """Permission bits of `root` and of everything below it, by path relative to `root`."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def assert_private(root: Path) -> dict[str, int]:
    found = modes(root)
    wrong = {
        name: oct(mode)
        for name, mode in found.items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }
    assert not wrong, f"not private (folders 0700, files 0600): {wrong}"
    return found


async def test_a_fresh_data_dir_and_every_file_in_it_are_private(
    database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "fresh" / "var"
    on_sqlite = database_url.startswith("sqlite")
    # SQLite: the default database inside the data folder; PostgreSQL: the folder keeps the rest.
    services = Services.build(make_settings(data, "" if on_sqlite else database_url))
    try:
        await migrate.upgrade(services.db)
        services.hearings.schedule.clock = lambda: NOW
        made = await demo.bootstrap_demo(services)
        assert made
        judge = next(account for account in made if account.username == "judge")
        async with TestClient(TestServer(create_app(services), host="127.0.0.1")) as client:
            session = await sign_in(client, judge.username, judge.password)
            response = await client.post(
                "/api/hearings", json=draft_body(starts_at=iso(START)), headers=session.headers()
            )
            created: Any = await response.json()
            assert response.status == 201, created
            # Checked while the database is open, so SQLite's -wal and -shm exist.
            found = assert_private(data)
    finally:
        await services.close()
    expected = {".", "secret.key", demo.CREDENTIALS_FILE}
    if on_sqlite:
        expected |= {"vc.sqlite3", "vc.sqlite3-wal", "vc.sqlite3-shm"}
    assert expected <= set(found), found
    assert_private(data)


def test_an_existing_install_is_tightened(tmp_path: Path) -> None:
    """A data folder from before the fix: 0755, the database and its WAL files 0644."""
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    database = sqlite3.connect(data / "vc.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE t (x)")
    database.commit()
    assert stat.S_IMODE((data / "vc.sqlite3-wal").stat().st_mode) == 0o644
    try:
        services = Services.build(make_settings(data))
        services.db.engine.sync_engine.dispose()
        assert_private(data)
    finally:
        database.close()


def test_a_data_dir_that_cannot_be_made_private_stops_the_start(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError) as caught:
        Services.build(make_settings(blocker / "var"))
    assert caught.value.details == {"setting": "VC_DATA_DIR"}
