"""The CLI as a person or a script uses it: commands, --json, PIN input, errors, exit codes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coldcheck.cli.main import app

PIN = "135790"


def ok(cli: CliRunner, *args: str, env: dict[str, str] | None = None) -> str:
    result = cli.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def entries(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM records").fetchone()[0])


def production(cli: CliRunner) -> None:
    new = {"COLDCHECK_NEW_PIN": PIN, "COLDCHECK_PIN": PIN}
    ok(
        cli,
        "init",
        "--production",
        "dust-road",
        "--name",
        "Dust Road",
        "--founder",
        "Hannah Reed",
        "--role",
        "armorer",
        "--head-armorer",
        "--permit-number",
        "EFP-1",
        "--permit-authority",
        "CA DOJ",
        "--permit-expires",
        "2099-12-31",
        env=new,
    )
    ok(cli, "person", "add", "--by", "P01", "--name", "Jack Colt", "--role", "talent", env=new)
    ok(
        cli,
        "person",
        "add",
        "--by",
        "Hannah Reed",
        "--name",
        "Dana Whitfield",
        "--role",
        "first_ad",
        env=new,
    )
    ok(cli, "store", "add", "--by", "P01", "--name", "Armory safe", "--kind", "safe")
    ok(
        cli,
        "firearm",
        "add",
        "--by",
        "P01",
        "--serial",
        "UB-73C-04512",
        "--make",
        "Uberti",
        "--model",
        "1873 Cattleman",
        "--action",
        "revolver",
        "--calibre",
        ".45 Colt",
        "--capacity",
        "6",
        "--kind",
        "blank_firing_real",
        "--owner",
        "Hollywood Rentals",
        "--store",
        "Armory safe",
    )


ADVISOR = "Rosa Vega"
SIGN = {"COLDCHECK_PIN": PIN}
AD = "Dana Whitfield"


def advisor(cli: CliRunner) -> None:
    """The safety advisor (P04 after ``production``), who approves plans and closes incidents."""
    if ADVISOR not in {p["name"] for p in json.loads(ok(cli, "person", "list", "--json"))}:
        new = {"COLDCHECK_NEW_PIN": PIN, "COLDCHECK_PIN": PIN}
        ok(
            cli,
            "person",
            "add",
            "--by",
            "P01",
            "--name",
            ADVISOR,
            "--role",
            "safety_advisor",
            env=new,
        )


def blank_lot(cli: CliRunner, load: str = "half", count: int = 50) -> str:
    """Receive a lot of .45 Colt blanks into the armory safe; its id."""
    out = ok(
        cli,
        "ammo",
        "receive",
        "--by",
        "P01",
        "--class",
        "blank",
        "--load",
        load,
        "--calibre",
        ".45 Colt",
        "--count",
        str(count),
        "--supplier",
        "Stembridge",
        "--provenance",
        "Invoice 4471",
        "--store",
        "Armory safe",
        "--json",
        env=SIGN,
    )
    return str(json.loads(out)["events"][0]["lot"])


def set_up(
    cli: CliRunner,
    *,
    scene: str = "12A",
    plan: tuple[str, ...] = ("F01:empty",),
    talent: str = "Jack Colt",
) -> None:
    """What comes before the armorer checks a firearm for a take: the safety advisor, today's
    opening check, the talent's training, the scene's approved plan, the meeting with the
    talent, and the 1st AD's call for each firearm of the plan; the armorer then holds them."""
    advisor(cli)
    if not json.loads(ok(cli, "status", "--json"))["summary"]["opening_check"]:
        ok(
            cli,
            "day",
            "open",
            "--by",
            "P01",
            "--swept",
            "Armory safe",
            "--swept",
            "Belts",
            env=SIGN,
        )
    trained = {(t["name"], t["action"]) for t in json.loads(ok(cli, "training", "list", "--json"))}
    if (talent, "revolver") not in trained:
        ok(cli, "training", "add", talent, "--action", "revolver", "--by", "P01", env=SIGN)
    safety = (
        ["--shield", "Lexan shield", "--protection", "ear plugs", "--protection", "goggles"]
        if any(":blank:" in p for p in plan)
        else []
    )
    ok(
        cli,
        "plan",
        "file",
        scene,
        "--by",
        "P01",
        "--mode",
        "take",
        *(arg for p in plan for arg in ("--firearm", p)),
        "--distance",
        "25",
        *safety,
        "--justification",
        "A real revolver in close-up; a replica reads as fake.",
        env=SIGN,
    )
    ok(cli, "plan", "approve", scene, "--by", ADVISOR, env=SIGN)
    held = ok(
        cli,
        "meeting",
        "hold",
        scene,
        "--by",
        AD,
        "--attendee",
        "P01",
        "--attendee",
        talent,
        env=SIGN,
    )
    meeting = held.split("Meeting ", 1)[1].split()[0]
    ok(cli, "meeting", "attend", meeting, "--by", talent, env=SIGN)
    stores = {s["name"]: s for s in json.loads(ok(cli, "store", "list", "--json"))}
    if stores["Armory safe"]["locked"]:
        ok(cli, "store", "unlock", "Armory safe", "--by", "P01")
    for entry in plan:
        firearm = entry.split(":")[0]
        ok(cli, "call", firearm, "--scene", scene, "--by", AD)
        ok(cli, "custody", "take", firearm, "--by", "P01")


def show(
    cli: CliRunner, firearm: str = "F01", talent: str = "Jack Colt", positions: str = ""
) -> None:
    """The armorer inspects every position and shows the firearm to the 1st AD and the talent."""
    what = ["--positions", positions] if positions else ["--all-empty"]
    ok(cli, "inspect", firearm, "--by", "P01", *what, env=SIGN)
    ok(cli, "witness", firearm, "--by", AD, env=SIGN)
    ok(cli, "witness", firearm, "--by", talent, env=SIGN)


def ready_to_issue(
    cli: CliRunner, *, talent: str = "Jack Colt", scene: str = "12A", blanks: int = 0
) -> None:
    """The whole protocol before the armorer hands F01 to the talent (on ``production``): with
    ``blanks``, F01 is loaded with that many half-load blanks and announced hot; otherwise it
    is empty. The armorer P01 then holds it."""
    lot = blank_lot(cli) if blanks else ""
    plan = f"F01:blank:{blanks}:half" if blanks else "F01:empty"
    set_up(cli, scene=scene, plan=(plan,), talent=talent)
    if blanks:
        ok(cli, "load", "F01", "--lot", lot, "--count", str(blanks), "--by", "P01", env=SIGN)
    positions = ",".join([f"blank:{lot}"] * blanks + ["empty"] * (6 - blanks)) if blanks else ""
    show(cli, "F01", talent, positions)
    if blanks:
        ok(cli, "announce", "F01", "--by", AD, env=SIGN)


def test_a_hand_off_moves_the_firearm_only_when_the_talent_accepts(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    ready_to_issue(cli)
    ok(
        cli,
        "custody",
        "hand-off",
        "UB-73C-04512",
        "--by",
        "P01",
        "--to",
        "Jack Colt",
        env={"COLDCHECK_PIN": PIN},
    )
    pending = json.loads(ok(cli, "status", "--json"))["firearms"][0]
    assert pending["where"]["name"] == "Hannah Reed"
    assert pending["handoff"]["to_name"] == "Jack Colt"
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n", encoding="utf-8")
    ok(cli, "custody", "accept", "F01", "--by", "Jack Colt", "--pin-file", str(pin_file))
    moved = json.loads(ok(cli, "status", "--json"))["firearms"][0]
    assert moved["where"] == {
        "kind": "person",
        "id": "P02",
        "name": "Jack Colt",
        "roles": ["talent"],
    }
    assert moved["handoff"] is None
    assert "WITH Jack Colt" in ok(cli, "status")


def test_a_refused_hand_off_names_the_rule_exits_3_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    ok(cli, "store", "unlock", "S01", "--by", "P01")
    ok(cli, "custody", "take", "F01", "--by", "P01")
    before = entries(tmp_path / "set.db")
    result = cli.invoke(
        app,
        ["custody", "hand-off", "F01", "--by", "P01", "--to", "Dana Whitfield"],
        env={"COLDCHECK_PIN": PIN},
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("coldcheck: R-13: ")
    assert "Dana Whitfield is not talent" in result.stderr
    assert entries(tmp_path / "set.db") == before


def test_json_errors_carry_the_rule_id(cli: CliRunner) -> None:
    production(cli)
    result = cli.invoke(app, ["custody", "take", "F01", "--by", "P01", "--json"])
    assert result.exit_code == 3
    error = json.loads(result.stdout)["error"]
    assert error["rule"] == "R-12"
    assert "locked" in error["message"]


def test_a_wrong_pin_is_refused_and_nothing_moves(cli: CliRunner, tmp_path: Path) -> None:
    production(cli)
    ready_to_issue(cli)
    ok(cli, "custody", "hand-off", "F01", "--by", "P01", "--to", "P02", env={"COLDCHECK_PIN": PIN})
    before = entries(tmp_path / "set.db")
    result = cli.invoke(
        app, ["custody", "accept", "F01", "--by", "P02"], env={"COLDCHECK_PIN": "999999"}
    )
    assert result.exit_code == 3
    assert "PIN is not correct" in result.stderr
    assert entries(tmp_path / "set.db") == before


def test_without_a_pin_and_without_a_terminal_the_command_says_how_to_give_one(
    cli: CliRunner,
) -> None:
    production(cli)
    add = ["person", "add", "--by", "P01", "--name", "Sam Tanaka", "--role", "talent"]
    mine = cli.invoke(app, add)
    assert mine.exit_code == 2
    assert mine.stderr == (
        "coldcheck: Your PIN is needed: give --pin-file, set $COLDCHECK_PIN, or run in a terminal\n"
    )
    theirs = cli.invoke(app, add, env={"COLDCHECK_PIN": PIN})
    assert theirs.exit_code == 2
    assert "--new-pin-file" not in theirs.stderr
    assert "COLDCHECK_NEW_PIN" in theirs.stderr


def test_there_is_no_pin_argument(cli: CliRunner) -> None:
    production(cli)
    result = cli.invoke(app, ["custody", "accept", "F01", "--by", "P02", "--pin", PIN])
    assert result.exit_code == 2
    assert "No such option" in result.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            [
                "firearm",
                "add",
                "--by",
                "P01",
                "--serial",
                "X1",
                "--make",
                "A",
                "--model",
                "B",
                "--action",
                "revolver",
                "--calibre",
                ".45",
                "--capacity",
                "six",
                "--kind",
                "rubber",
                "--owner",
                "me",
                "--store",
                "S01",
            ],
            "Capacity 'six' is not understood",
        ),
        (
            [
                "firearm",
                "add",
                "--by",
                "P01",
                "--serial",
                "X1",
                "--make",
                "A",
                "--model",
                "B",
                "--action",
                "flintlock",
                "--calibre",
                ".45",
                "--capacity",
                "1",
                "--kind",
                "rubber",
                "--owner",
                "me",
                "--store",
                "S01",
            ],
            "'flintlock' is not a firearm action",
        ),
        (["custody", "take", "F99", "--by", "P01"], "F99"),
        (["custody", "take", "F01", "--by", "Nobody"], "no person 'Nobody'"),
        (["log", "--since", "yesterday"], "--since 'yesterday' is not a time"),
        (["store", "add", "--by", "P01", "--name", "Cart", "--kind", "bucket"], "store kind"),
    ],
)
def test_bad_input_gets_one_line_no_traceback_and_writes_nothing(
    cli: CliRunner, tmp_path: Path, args: list[str], needle: str
) -> None:
    production(cli)
    before = entries(tmp_path / "set.db")
    result = cli.invoke(app, args)
    assert result.exit_code in (2, 3, 4), result.output
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert entries(tmp_path / "set.db") == before


def test_log_filters_by_firearm_person_and_time(cli: CliRunner) -> None:
    production(cli)
    ok(cli, "store", "unlock", "S01", "--by", "P01")
    ok(cli, "custody", "take", "F01", "--by", "P01")
    rows = json.loads(ok(cli, "log", "--firearm", "UB-73C-04512", "--json"))
    assert [r["type"] for r in rows] == ["firearm.registered", "custody.taken"]
    by_talent = json.loads(ok(cli, "log", "--person", "Jack Colt", "--json"))
    assert {r["type"] for r in by_talent} == {"person.registered", "key.created"}
    assert json.loads(ok(cli, "log", "--since", "2999-01-01", "--json")) == []


def test_a_correction_is_a_new_entry_pointing_at_the_registration(cli: CliRunner) -> None:
    production(cli)
    out = json.loads(
        ok(
            cli,
            "firearm",
            "correct",
            "F01",
            "--by",
            "P01",
            "--field",
            "model",
            "--value",
            "1873 Cattleman Old Model",
            "--reason",
            "typo",
            "--json",
        )
    )
    registered = json.loads(ok(cli, "log", "--firearm", "F01", "--json"))[0]
    last = json.loads(ok(cli, "log", "--json"))[-1]
    assert last["seq"] == out["last_seq"]
    assert last["corrects"] == registered["seq"]
    listed = json.loads(ok(cli, "firearm", "list", "--json"))[0]
    assert listed["model"] == "1873 Cattleman Old Model"


def test_verify_and_checkpoint_on_an_intact_store(cli: CliRunner) -> None:
    production(cli)
    note = json.loads(ok(cli, "checkpoint", "--json"))["note"]
    assert note.splitlines()[1] == "11"
    report = json.loads(ok(cli, "verify", "--json"))
    assert report["productions"][0]["size"] == 11
    assert report["productions"][0]["checkpoints"] == 2  # one at init, one now


def test_proofs_verify(cli: CliRunner) -> None:
    production(cli)
    assert "verified" in ok(cli, "proof", "inclusion", "3")
    assert "verified" in ok(cli, "proof", "consistency", "5")
    bad = cli.invoke(app, ["proof", "consistency", "50"])
    assert bad.exit_code == 2


def test_a_missing_store_is_one_clear_line(tmp_path: Path) -> None:
    env = {"COLDCHECK_DB": str(tmp_path / "nowhere.db"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "coldcheck", "status"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("coldcheck: there is no coldcheck store at")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "nowhere.db").exists()


def test_a_corrupted_store_file_is_one_clear_line(tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    db.write_bytes(b"this is not a database" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "coldcheck", "verify", "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "is not a readable coldcheck store" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_seeds_a_western_that_verifies(cli: CliRunner) -> None:
    out = json.loads(ok(cli, "demo", "--json"))
    assert out["created"] is True
    status = json.loads(ok(cli, "status", "--json"))
    assert len(status["firearms"]) >= 6
    assert all(f["where"]["kind"] == "store" and f["where"]["locked"] for f in status["firearms"])
    assert len(json.loads(ok(cli, "person", "list", "--json"))) >= 10
    assert len(json.loads(ok(cli, "store", "list", "--json"))) >= 3
    accepted = [
        r for r in json.loads(ok(cli, "log", "--json")) if r["type"] == "custody.handoff_accepted"
    ]
    assert len(accepted) >= 6
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True
    lots = json.loads(ok(cli, "ammo", "list", "--json"))
    assert {lot["class"] for lot in lots} == {"dummy", "blank"}
    assert all(lot["loadable"] for lot in lots)
    again = json.loads(ok(cli, "demo", "--json"))
    assert again["created"] is False


def test_rules_lists_the_catalogue_without_a_store(cli: CliRunner) -> None:
    listed = json.loads(ok(cli, "rules", "--json"))
    assert len(listed) == 58
    r13 = next(r for r in listed if r["id"] == "R-13")
    assert r13["enforced"] is True
    assert "refuse" in r13["treatments"]
    planned = next(r["id"] for r in listed if r["status"] == "planned")
    assert f"{planned}  planned" in ok(cli, "rules")


def test_ammunition_by_class_live_refused_and_dummies_checked(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    lot = [
        "--by",
        "P01",
        "--calibre",
        ".45 Colt",
        "--count",
        "50",
        "--supplier",
        "Hollywood Rentals",
        "--provenance",
        "Lot HR-2291",
        "--store",
        "Armory safe",
    ]
    before = entries(tmp_path / "set.db")
    live = cli.invoke(app, ["ammo", "receive", "--class", "live", *lot], env=SIGN)
    assert live.exit_code == 3
    assert live.stderr.startswith("coldcheck: R-01: ")
    assert entries(tmp_path / "set.db") == before
    unsigned = cli.invoke(app, ["ammo", "receive", "--class", "dummy", *lot], input="\n")
    assert unsigned.exit_code != 0  # the armorer's PIN attests the lot
    assert entries(tmp_path / "set.db") == before
    ok(cli, "ammo", "receive", "--class", "dummy", *lot, env=SIGN)
    ok(cli, "ammo", "receive", "--class", "blank", "--load", "quarter", *lot, env=SIGN)
    ok(
        cli,
        "ammo",
        "inspect",
        "A01",
        "--by",
        "P01",
        "--inspected",
        "50",
        "--inert",
        "50",
        "--method",
        "rattle",
        "--method",
        "case_hole",
        env=SIGN,
    )
    lots = {r["lot"]: r for r in json.loads(ok(cli, "ammo", "list", "--json"))}
    assert lots["A01"]["loadable"] is True
    assert lots["A01"]["inert"] == 50
    assert lots["A02"]["load"] == "quarter"
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


def test_inspect_derives_the_load_state_and_status_shows_it(cli: CliRunner) -> None:
    production(cli)
    lot = blank_lot(cli, load="quarter")
    set_up(cli, plan=("F01:blank:3:quarter",))
    ok(cli, "load", "F01", "--lot", lot, "--count", "3", "--by", "P01", env=SIGN)
    short = cli.invoke(
        app, ["inspect", "F01", "--by", "P01", "--positions", "empty,empty"], env=SIGN
    )
    assert short.exit_code == 3
    assert short.stderr.startswith("coldcheck: R-22: ")
    out = ok(
        cli,
        "inspect",
        "F01",
        "--by",
        "P01",
        "--positions",
        f"blank:{lot},blank:{lot},blank:{lot},empty,empty,empty",
        env=SIGN,
    )
    assert "BLANKS x3 (quarter)" in out
    row = json.loads(ok(cli, "status", "--json"))["firearms"][0]
    assert row["load_state"]["text"] == "BLANKS x3 (quarter)"
    assert row["load_state"]["by_name"] == "Hannah Reed"
    assert "BLANKS x3 (quarter)" in ok(cli, "status")
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


def test_cold_is_refused_until_the_three_person_check_then_generated(cli: CliRunner) -> None:
    production(cli)
    set_up(cli)
    refused = cli.invoke(app, ["announce", "F01", "--by", AD], env=SIGN)
    assert refused.exit_code == 3
    assert refused.stderr.startswith("coldcheck: R-29: F01 may not be announced")
    ok(cli, "inspect", "F01", "--by", "Hannah Reed", "--all-empty", env=SIGN)
    ok(cli, "witness", "F01", "--by", AD, env=SIGN)
    ok(cli, "witness", "F01", "--by", "Jack Colt", env=SIGN)
    text = ok(cli, "announce", "F01", "--by", AD, env=SIGN)
    assert text.startswith("Cold: revolver F01 (Uberti 1873 Cattleman, serial UB-73C-04512)")
    assert "shown to Dana Whitfield and Jack Colt" in text
    row = json.loads(ok(cli, "status", "--json"))["firearms"][0]
    assert row["announce"] == {"may": True, "call": "cold", "announced": "cold", "why_not": None}
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True
