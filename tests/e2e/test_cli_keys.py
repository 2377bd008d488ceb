"""Personal keys through the CLI: rotation, revocation, a new key, and what each allows."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from coldcheck.cli.main import app
from tests.e2e.test_cli import PIN, ok, production, ready_to_issue


@pytest.fixture
def cli(cli: CliRunner) -> CliRunner:
    """The base runner (tests/e2e/conftest.py) with a production and F01 ready for the talent:
    the whole protocol before an issue is on record and the armorer holds it."""
    runner = cli
    production(runner)
    ready_to_issue(runner)
    return runner


def offer(cli: CliRunner) -> None:
    ok(cli, "custody", "hand-off", "F01", "--by", "P01", "--to", "P02", env={"COLDCHECK_PIN": PIN})


def test_after_rotation_only_the_new_pin_signs(cli: CliRunner) -> None:
    ok(
        cli,
        "person",
        "key",
        "rotate",
        "--by",
        "Jack Colt",
        env={"COLDCHECK_PIN": PIN, "COLDCHECK_NEW_PIN": "864200"},
    )
    offer(cli)
    old = cli.invoke(app, ["custody", "accept", "F01", "--by", "P02"], env={"COLDCHECK_PIN": PIN})
    assert old.exit_code == 3
    ok(cli, "custody", "accept", "F01", "--by", "P02", env={"COLDCHECK_PIN": "864200"})
    rotated = [r for r in json.loads(ok(cli, "log", "--json")) if r["type"] == "key.rotated"]
    assert len(rotated) == 1
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


def test_a_revoked_key_cannot_attest_until_a_new_key_is_made(cli: CliRunner) -> None:
    ok(
        cli,
        "person",
        "key",
        "revoke",
        "Jack Colt",
        "--by",
        "P01",
        "--reason",
        "phone lost",
        env={"COLDCHECK_PIN": PIN},
    )
    assert json.loads(ok(cli, "person", "list", "--json"))[1]["key"] is None
    offer(cli)
    refused = cli.invoke(
        app, ["custody", "accept", "F01", "--by", "P02"], env={"COLDCHECK_PIN": PIN}
    )
    assert refused.exit_code == 3
    assert "no active signing key" in refused.stderr
    ok(
        cli,
        "person",
        "key",
        "new",
        "Jack Colt",
        "--by",
        "P01",
        env={"COLDCHECK_NEW_PIN": "975310", "COLDCHECK_PIN": PIN},
    )
    ok(cli, "custody", "accept", "F01", "--by", "P02", env={"COLDCHECK_PIN": "975310"})
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


def test_only_admins_revoke_someone_elses_key(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        ["person", "key", "revoke", "Hannah Reed", "--by", "Jack Colt", "--reason", "spite"],
        env={"COLDCHECK_PIN": PIN},
    )
    assert result.exit_code == 3
    assert "cannot revoke someone else's key" in result.stderr


def test_a_key_made_for_someone_needs_the_admins_own_pin(cli: CliRunner) -> None:
    ok(
        cli,
        "person",
        "key",
        "revoke",
        "Jack Colt",
        "--by",
        "P01",
        "--reason",
        "phone lost",
        env={"COLDCHECK_PIN": PIN},
    )
    forged = cli.invoke(
        app,
        ["person", "key", "new", "Jack Colt", "--by", "P01"],
        env={"COLDCHECK_NEW_PIN": "999999", "COLDCHECK_PIN": "000000"},
    )
    assert forged.exit_code == 3
    assert "PIN is not correct" in forged.stderr
    rows = json.loads(ok(cli, "log", "--json"))
    assert rows[-1]["type"] == "key.revoked"
    assert rows[-1]["attest"] == ["P01"]  # the revocation itself carries the admin's signature
