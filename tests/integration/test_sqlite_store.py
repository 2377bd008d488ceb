"""What only the SQLite adapter promises: how it opens files, and its durability settings."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from coldcheck.app.service import bootstrap
from coldcheck.app.settings import Settings
from coldcheck.store.port import StoreError
from coldcheck.store.sqlite import SqliteStore

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reports


def _pragma(store: SqliteStore, name: str) -> object:
    return store._db.execute(f"PRAGMA {name}").fetchone()[0]


def _journal_mode(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA journal_mode").fetchone()[0])


def test_opening_a_missing_store_says_where_it_looked_and_what_to_do(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"

    with pytest.raises(StoreError) as caught:
        SqliteStore(missing)

    message = str(caught.value)
    assert str(missing) in message
    assert "coldcheck init" in message
    assert "--db" in message
    assert not missing.exists(), "a failed open must not create the file"


def test_a_file_of_random_bytes_is_refused_with_a_sentence_and_left_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "photo.jpg"
    content = random.Random(8785).randbytes(8192)
    path.write_bytes(content)

    with pytest.raises(StoreError) as caught:
        SqliteStore(path)

    assert str(caught.value).startswith(f"{path} is not a readable coldcheck store")
    assert "backup" in str(caught.value)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("user_version", "refusal"),
    [
        pytest.param(0, "is an SQLite file but not a coldcheck store", id="plain"),
        pytest.param(5, "has store schema 5; this coldcheck reads schema 1", id="own-user-version"),
    ],
)
def test_another_programs_sqlite_file_is_refused_and_left_as_it_was(
    tmp_path: Path, user_version: int, refusal: str
) -> None:
    path = tmp_path / "contacts.db"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE contacts (name TEXT)")
        db.execute("INSERT INTO contacts VALUES ('Hannah Reed')")
        db.execute(f"PRAGMA user_version = {user_version}")
    before = path.read_bytes()

    with pytest.raises(StoreError) as caught:
        SqliteStore(path)

    assert str(caught.value) == f"{path} {refusal}"
    assert _journal_mode(path) == "delete", "the other program's journal mode was changed"
    assert path.read_bytes() == before


def test_a_store_written_by_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path, create=True).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 7")

    with pytest.raises(StoreError) as caught:
        SqliteStore(path)

    assert "schema 7" in str(caught.value)
    assert "schema 1" in str(caught.value)


def test_a_store_is_in_wal_mode_and_fully_synchronous_by_default(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "coldcheck.db", create=True)
    try:
        assert _pragma(store, "journal_mode") == "wal"
        assert _pragma(store, "synchronous") == FULL
    finally:
        store.close()
    assert _journal_mode(tmp_path / "coldcheck.db") == "wal"


def test_normal_synchronous_is_used_only_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "coldcheck.db"
    default = bootstrap(Settings.load(str(path), env={}), create=True)
    asked = bootstrap(
        Settings.load(str(path), env={"COLDCHECK_SQLITE_SYNCHRONOUS": "normal"}), create=True
    )
    try:
        assert isinstance(default.store, SqliteStore)
        assert isinstance(asked.store, SqliteStore)
        assert _pragma(default.store, "synchronous") == FULL
        assert _pragma(asked.store, "synchronous") == NORMAL
        assert _pragma(asked.store, "journal_mode") == "wal"
    finally:
        default.close()
        asked.close()


@pytest.mark.parametrize("value", ["OFF", "EXTRA", "0", "full", "FULL; DROP TABLE records", ""])
def test_any_other_synchronous_setting_is_refused_before_the_file_is_touched(
    tmp_path: Path, value: str
) -> None:
    path = tmp_path / "coldcheck.db"

    with pytest.raises(StoreError) as caught:
        SqliteStore(path, create=True, synchronous=value)

    assert str(caught.value) == f"synchronous must be FULL or NORMAL, not {value!r}"
    assert not path.exists()
