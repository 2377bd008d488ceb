"""Gaps a review found: each test shows the behaviour a person now gets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldcheck.cli.main import app
from tests.e2e.test_cli import ok, production


def test_a_truncated_store_fails_against_a_checkpoint_kept_off_the_node(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    kept = tmp_path / "wrap.checkpoint"
    kept.write_text(json.loads(ok(cli, "checkpoint", "--json"))["note"], encoding="utf-8")
    with sqlite3.connect(tmp_path / "set.db") as con:
        con.execute("DELETE FROM records WHERE seq >= 8")
        con.execute("DELETE FROM checkpoints WHERE size >= 8")
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True  # the store alone can't tell
    result = cli.invoke(app, ["verify", "--checkpoint", str(kept)])
    assert result.exit_code == 1
    assert "position 8" in result.stderr
    assert "truncated" in result.stderr


def test_a_deleted_production_is_found_by_its_checkpoints(cli: CliRunner, tmp_path: Path) -> None:
    production(cli)
    with sqlite3.connect(tmp_path / "set.db") as con:
        con.execute("DELETE FROM records")
    result = cli.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert "checkpoints exist but the ledger has no entries" in result.stderr


def test_reading_needs_no_node_key_but_signing_a_checkpoint_needs_the_right_one(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    key = tmp_path / "set.db.node-key"
    original = key.read_text(encoding="ascii")
    key.unlink()
    assert "Dust Road" in ok(cli, "status")
    assert ok(cli, "log", "--json")
    other = CliRunner()
    other_db = tmp_path / "other.db"
    other.invoke(
        app,
        [
            "init",
            "--db",
            str(other_db),
            "--production",
            "x",
            "--name",
            "X",
            "--founder",
            "Ann",
            "--role",
            "producer",
        ],
        env={"COLDCHECK_NEW_PIN": "246810", "COLDCHECK_INSECURE_TEST_KDF": "1"},
    )
    key.write_text((tmp_path / "other.db.node-key").read_text(encoding="ascii"), "ascii")
    refused = cli.invoke(app, ["checkpoint"])
    assert refused.exit_code == 2
    assert "not the key that opened this ledger" in refused.stderr
    key.write_text(original, encoding="ascii")
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


@pytest.mark.parametrize(
    "args",
    [
        ["--production", "bad id", "--role", "producer"],
        ["--production", "ok", "--role", "crew"],
        ["--production", "ok", "--role", "producer", "--head-armorer"],
    ],
)
def test_a_refused_init_leaves_no_store_and_no_key(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "new.db"
    result = CliRunner().invoke(
        app,
        ["init", "--db", str(db), "--name", "N", "--founder", "Ann", *args],
        env={"COLDCHECK_NEW_PIN": "246810", "COLDCHECK_INSECURE_TEST_KDF": "1"},
    )
    assert result.exit_code == 2
    assert not db.exists()
    assert not (tmp_path / "new.db.node-key").exists()


def test_init_never_takes_over_another_programs_database(tmp_path: Path) -> None:
    db = tmp_path / "customers.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE customers (name TEXT)")
    result = CliRunner().invoke(
        app,
        [
            "init",
            "--db",
            str(db),
            "--production",
            "p",
            "--name",
            "N",
            "--founder",
            "Ann",
            "--role",
            "producer",
        ],
        env={"COLDCHECK_NEW_PIN": "246810", "COLDCHECK_INSECURE_TEST_KDF": "1"},
    )
    assert result.exit_code == 2
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] != "wal"
