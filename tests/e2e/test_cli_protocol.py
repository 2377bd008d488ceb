"""The protocol through the CLI: the day, training, plans, meetings, calls, rounds, incidents,
concerns, stop-work, reports of reality, settings, waivers, range sessions, alerts, status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.cli import common
from coldcheck.cli.main import app
from tests.e2e.test_cli import (
    AD,
    ADVISOR,
    PIN,
    SIGN,
    advisor,
    blank_lot,
    entries,
    ok,
    production,
    ready_to_issue,
    set_up,
)

SIX_SPENT = ",".join(["spent"] * 6)
WRITTEN = {"ok", "message", "first_seq", "last_seq", "time", "events", "incidents"}


def refused(cli: CliRunner, rule: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """The command is refused under ``rule`` with exit code 3, in one line."""
    result = cli.invoke(app, list(args), env=SIGN if env is None else env)
    assert result.exit_code == 3, (args, result.output)
    assert result.stderr.startswith(f"coldcheck: {rule}: "), (args, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    return result


def data(cli: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    return json.loads(ok(cli, *args, "--json", env=env))


def row(status_text: str, firearm: str) -> str:
    return next(line for line in status_text.splitlines() if line.startswith(f"{firearm}  "))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """Every command from now on runs this far ahead of the real clock (to wait out a
    misfire without sleeping)."""
    ahead = [timedelta(0)]

    def shifted(settings: Settings, *, create: bool = False) -> App:
        return bootstrap(settings, create=create, clock=lambda: datetime.now(UTC) + ahead[0])

    monkeypatch.setattr(common, "bootstrap", shifted)
    return ahead


def test_a_hot_take_from_day_open_to_wrap_reconciles_and_verifies(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    advisor(cli)
    lot = blank_lot(cli)
    opened = data(cli, "day", "open", "--by", "P01", "--swept", "Armory safe", env=SIGN)
    assert set(opened) == WRITTEN
    assert opened["events"][0]["type"] == "day.opened"
    assert opened["incidents"] == []
    ok(cli, "training", "add", "Jack Colt", "--action", "revolver", "--by", "P01", env=SIGN)
    plan = [
        *("plan", "file", "12A", "--by", "P01", "--mode", "take"),
        *("--firearm", "F01:blank:6:half", "--distance", "25"),
        *("--shield", "Lexan shield for camera", "--protection", "ear plugs"),
        *("--protection", "eye protection", "--justification", "Muzzle flash in close-up."),
    ]
    ok(cli, *plan, env=SIGN)
    ok(cli, "plan", "approve", "12A", "--by", ADVISOR, env=SIGN)
    shown = ok(cli, "plan", "show", "12A")
    assert "approved by Rosa Vega" in shown
    assert "R-38 Keep 25 ft between muzzle and anyone." in shown
    meeting = ok(
        cli,
        "meeting",
        "hold",
        "12A",
        "--by",
        AD,
        "--attendee",
        "P01",
        "--attendee",
        "P02",
        env=SIGN,
    )
    assert "Meeting M01 for scene 12A recorded" in meeting
    assert "R-41 Nobody fires before the 1st AD's hot announcement." in meeting
    assert "coldcheck meeting attend M01 --by NAME" in meeting
    refused(cli, "R-30", "meeting", "attend", "M01", "--by", ADVISOR)
    attended = ok(cli, "meeting", "attend", "M01", "--by", "Jack Colt", env=SIGN)
    assert "Jack Colt confirmed being at meeting M01" in attended
    ok(cli, "store", "unlock", "Armory safe", "--by", "P01")
    ok(cli, "custody", "take", "F01", "--by", "P01")
    before = entries(tmp_path / "set.db")
    refused(cli, "R-27", "load", "F01", "--lot", lot, "--count", "6", "--by", "P01")
    assert entries(tmp_path / "set.db") == before
    assert "F01 called for scene 12A" in ok(cli, "call", "F01", "--scene", "12A", "--by", AD)
    ok(cli, "load", "F01", "--lot", lot, "--count", "6", "--by", "P01", env=SIGN)
    blanks = ",".join([f"blank:{lot}"] * 6)
    assert "BLANKS x6 (half)" in ok(
        cli, "inspect", "F01", "--by", "P01", "--positions", blanks, env=SIGN
    )
    ok(cli, "witness", "F01", "--by", AD, env=SIGN)
    ok(cli, "witness", "F01", "--by", "Jack Colt", env=SIGN)
    refused(cli, "R-41", "custody", "hand-off", "F01", "--by", "P01", "--to", "Jack Colt")
    assert row(ok(cli, "status"), "F01").split()[-1] == "HOT"
    assert ok(cli, "announce", "F01", "--by", AD, env=SIGN).startswith("Hot: revolver F01")
    ok(cli, "custody", "hand-off", "F01", "--by", "P01", "--to", "Jack Colt", env=SIGN)
    ok(cli, "custody", "accept", "F01", "--by", "Jack Colt", env=SIGN)
    mid = ok(cli, "status")
    assert all(len(line) <= 100 for line in mid.splitlines()), mid
    assert "Firearms work allowed." in mid
    assert "opening check on record; working." in mid
    f01 = row(mid, "F01")
    for cell in ("BLANKS x6 (half)", "6 blank", "WITH Jack Colt", "12A", "HOT (said)"):
        assert cell in f01, f01
    fired = data(cli, "discharge", "F01", "--count", "6", "--by", AD)
    assert fired["events"][0]["planned"] is True
    assert fired["incidents"] == []
    assert "Cut: scene 12A" in ok(cli, "cut", "12A", "--by", AD)
    ok(cli, "custody", "hand-off", "F01", "--by", "Jack Colt", "--to", "P01", env=SIGN)
    ok(cli, "custody", "accept", "F01", "--by", "P01", env=SIGN)
    assert "SPENT x6" in ok(
        cli, "inspect", "F01", "--by", "P01", "--post-use", "--positions", SIX_SPENT, env=SIGN
    )
    assert "6 spent case(s) out" in ok(cli, "unload", "F01", "--by", "P01", env=SIGN)
    refused(cli, "R-09", "custody", "return", "F01", "--by", "P01", "--store", "Armory safe")
    counted = ok(
        cli, "reconcile", "F01", *("--fired", "6", "--returned", "0", "--misfired", "0"),
        "--by", "P01", env=SIGN,
    )  # fmt: skip
    assert "the count balances" in counted
    ok(cli, "custody", "return", "F01", "--by", "P01", "--store", "Armory safe")
    refused(cli, "R-08", "day", "wrap", "--by", AD)
    ok(cli, "store", "lock", "Armory safe", "--by", "P01")
    assert "coldcheck checkpoint" in ok(cli, "day", "wrap", "--by", AD, env=SIGN)
    ok(cli, "checkpoint")
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True
    after = data(cli, "status")
    assert after["summary"]["on_break"] == "wrap"
    assert after["summary"]["alerts"] == []
    assert "WRAPPED" in ok(cli, "status")
    lots = {r["lot"]: r for r in data(cli, "ammo", "list")}
    assert (lots[lot]["count"], lots[lot]["fired"]) == (44, 6)


def test_status_shows_stop_work_after_an_unplanned_discharge(cli: CliRunner) -> None:
    production(cli)
    ready_to_issue(cli)
    assert "Firearms work allowed." in ok(cli, "status")
    out = ok(cli, "discharge", "F01", "--count", "1", "--by", "P01", "--note", "while holstering")
    assert "UNPLANNED" in out
    incident = out.splitlines()[1]
    assert incident.startswith(
        "INCIDENT I01 opened (unplanned discharge): firearms work stopped for the whole production"
    )
    assert "Evidence: F01" in incident
    text = ok(cli, "status")
    assert "STOP-WORK R-51: incident I01 (unplanned discharge) is open." in text
    assert "R-54 I01: Evidence hold" in text
    assert "1 spent" in row(text, "F01")
    status = data(cli, "status")
    assert {"production", "name", "seq", "firearms", "summary"} <= set(status)
    assert status["summary"]["stop_work"]["rule"] == "R-51"
    assert {a["rule"] for a in data(cli, "alerts")} >= {"R-51", "R-54"}
    assert "R-51 I01" in ok(cli, "alerts")
    refused(cli, "R-51", "call", "F01", "--scene", "12A", "--by", AD)
    refused(cli, "R-54", "unload", "F01", "--by", "P01")
    refused(cli, "R-51", "incident", "close", "I01", "--by", "P01", "--findings", "x" * 12,
            "--action", "y" * 12)  # fmt: skip
    listed = data(cli, "incident", "list")
    assert [(i["incident"], i["open"], i["evidence_hold"]) for i in listed] == [("I01", True, True)]
    assert "I01  OPEN   unplanned discharge" in ok(cli, "incident", "list")
    closed = ok(
        cli, "incident", "close", "I01", "--by", ADVISOR,
        "--findings", "The hammer slipped while holstering.",
        "--action", "Holstering drill with the armorer.", env=SIGN,
    )  # fmt: skip
    assert "Hold a new safety meeting" in closed
    assert "nothing stops firearms work now" in closed
    assert "Firearms work allowed." in ok(cli, "status")


def test_a_live_round_found_at_inspection_is_in_the_json_answer(cli: CliRunner) -> None:
    production(cli)
    set_up(cli)
    live = "live," + ",".join(["empty"] * 5)
    found = data(cli, "inspect", "F01", "--by", "P01", "--positions", live, env=SIGN)
    assert found["incidents"][0]["kind"] == "live_round_found"
    assert found["incidents"][0]["firearms"] == ["F01"]
    assert [e["type"] for e in found["events"]] == ["firearm.inspected", "incident.opened"]
    assert data(cli, "status")["summary"]["stop_work"]["rule"] == "R-51"


def test_a_misfire_is_recorded_at_once_and_cleared_only_after_the_wait(
    cli: CliRunner, clock: list[timedelta]
) -> None:
    production(cli)
    ready_to_issue(cli, blanks=2)
    ok(cli, "custody", "hand-off", "F01", "--by", "P01", "--to", "Jack Colt", env=SIGN)
    ok(cli, "custody", "accept", "F01", "--by", "Jack Colt", env=SIGN)
    out = ok(cli, "misfire", "record", "F01", "--by", "Jack Colt")
    assert out.startswith("MISFIRE of F01 recorded: muzzle safe, wait 15 s")
    assert "INCIDENT I01 opened (malfunction): F01 is out of service" in out
    assert "MISFIRE" in row(ok(cli, "status"), "F01")
    ok(cli, "custody", "hand-off", "F01", "--by", "Jack Colt", "--to", "P01", env=SIGN)
    ok(cli, "custody", "accept", "F01", "--by", "P01", env=SIGN)
    refused(cli, "R-42", "misfire", "clear", "F01", "--by", "P01")
    refused(cli, "R-42", "unload", "F01", "--by", "P01")
    clock[0] = timedelta(seconds=20)
    cleared = data(cli, "misfire", "clear", "F01", "--by", "P01", env=SIGN)
    assert cleared["events"][0]["type"] == "firearm.misfire_cleared"
    assert "1 blank" in row(ok(cli, "status"), "F01")
    ok(cli, "unload", "F01", "--by", "P01", env=SIGN)
    counted = data(
        cli, "reconcile", "F01", *("--fired", "0", "--returned", "0", "--misfired", "1"),
        "--by", "P01", env=SIGN,
    )  # fmt: skip
    assert counted["events"][0]["balanced"] is False
    assert counted["incidents"][0]["kind"] == "count_discrepancy"


def test_a_ledger_with_a_production_wide_incident_verifies(cli: CliRunner) -> None:
    production(cli)
    ok(cli, "incident", "open", "near_miss", "--by", AD, "--description", "Muzzle swept a grip.")
    assert json.loads(ok(cli, "verify", "--json"))["ok"] is True


def test_every_command_refuses_with_its_rule_exit_3_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    production(cli)
    advisor(cli)
    lot = blank_lot(cli)
    ok(cli, "day", "open", "--by", "P01", "--swept", "Armory safe", env=SIGN)
    ok(cli, "store", "unlock", "Armory safe", "--by", "P01")
    ok(cli, "custody", "take", "F01", "--by", "P01")
    ok(cli, "plan", "file", "12A", "--by", "P01", "--mode", "take", "--firearm", "F01:empty",
       "--distance", "25", "--justification", "Close-up of a real revolver.", env=SIGN)  # fmt: skip
    blank = ["--firearm", "F01:blank:6:half", "--justification", "Muzzle flash."]
    safety = ["--shield", "Lexan", "--protection", "ear plugs"]
    cases: list[tuple[str, list[str]]] = [
        ("R-03", ["day", "open", "--by", "Jack Colt", "--swept", "Belts"]),
        ("R-08", ["day", "break", "--by", "P01"]),
        ("R-08", ["day", "wrap", "--by", AD]),
        ("R-44", ["training", "add", "P02", "--action", "revolver", "--by", AD]),
        ("R-38", ["plan", "file", "14B", "--by", "P01", "--mode", "take", *blank,
                  "--distance", "10", *safety]),
        ("R-40", ["plan", "file", "14B", "--by", "P01", "--mode", "take", *blank,
                  "--distance", "25"]),
        ("R-35", ["plan", "file", "14B", "--by", "P01", "--mode", "take",
                  "--firearm", "F01:empty", "--distance", "25"]),
        ("R-31", ["plan", "approve", "12A", "--by", "P01"]),
        ("R-31", ["meeting", "hold", "99", "--by", AD, "--attendee", "P02"]),
        ("R-31", ["call", "F01", "--scene", "12A", "--by", AD]),
        ("R-27", ["call", "F01", "--scene", "12A", "--by", "P01"]),
        ("R-15", ["cut", "12A", "--by", "P01"]),
        ("R-27", ["load", "F01", "--lot", lot, "--count", "1", "--by", "P01"]),
        ("R-26", ["unload", "F01", "--by", AD]),
        ("R-25", ["misfire", "clear", "F01", "--by", "Jack Colt"]),
        ("R-09", ["reconcile", "F01", "--fired", "0", "--returned", "0", "--misfired", "0",
                  "--by", "Jack Colt"]),
        ("R-04", ["discharge", "F09", "--count", "1", "--by", "P01"]),
        ("R-04", ["misfire", "record", "F09", "--by", "P01"]),
        ("R-04", ["incident", "open", "near_miss", "--by", AD, "--description", "Muzzle swept",
                  "--firearm", "F09"]),
        ("R-51", ["incident", "close", "I01", "--by", "P01", "--findings", "f" * 12,
                  "--action", "a" * 12]),
        ("R-52", ["concern", "answer", "C01", "--by", "Jack Colt", "--answer", "a" * 12]),
        ("R-47", ["work", "stop", "--by", "Jack Colt", "--reason", "I say so"]),
        ("R-04", ["custody", "report", "F09", "--by", AD, "--store", "Armory safe"]),
        ("R-04", ["custody", "missing", "F09", "--by", AD]),
        ("R-38", ["setting", "set", "blank_distance_ft", "10", "--by", ADVISOR]),
        ("R-49", ["waiver", "grant", "misfire_wait_seconds", "5", "--by", "P01",
                  "--reason", "The rental house says 5 s."]),
        ("R-02", ["range", "approve", "--by", "P01", "--location", "Range", "--medical", "EMT",
                  "--day", "2026-12-01"]),
        ("R-02", ["range", "receive", "R09", "--by", "P01", "--calibre", ".45 Colt",
                  "--count", "10", "--supplier", "W", "--provenance", "Lot 1"]),
    ]  # fmt: skip
    before = entries(tmp_path / "set.db")
    for rule, args in cases:
        refused(cli, rule, *args)
    assert entries(tmp_path / "set.db") == before
    as_json = cli.invoke(app, ["day", "break", "--by", "P01", "--json"], env=SIGN)
    assert as_json.exit_code == 3
    assert json.loads(as_json.stdout)["error"]["rule"] == "R-08"


def test_signed_commands_need_the_actors_pin(cli: CliRunner, tmp_path: Path) -> None:
    production(cli)
    signed = [
        ["day", "open", "--by", "P01", "--swept", "Armory safe"],
        ["training", "add", "P02", "--action", "revolver", "--by", "P01"],
        ["plan", "file", "12A", "--by", "P01", "--mode", "take", "--firearm", "F01:empty",
         "--distance", "25"],
        ["plan", "approve", "12A", "--by", "P01"],
        ["meeting", "hold", "12A", "--by", AD, "--attendee", "P02"],
        ["meeting", "attend", "M01", "--by", "P02"],
        ["load", "F01", "--lot", "A01", "--count", "1", "--by", "P01"],
        ["unload", "F01", "--by", "P01"],
        ["misfire", "clear", "F01", "--by", "P01"],
        ["reconcile", "F01", "--fired", "0", "--returned", "0", "--misfired", "0", "--by", "P01"],
        ["incident", "close", "I01", "--by", "P01", "--findings", "f", "--action", "a"],
        ["concern", "answer", "C01", "--by", "P01", "--answer", "a"],
        ["waiver", "grant", "misfire_wait_seconds", "5", "--by", "P01", "--reason", "r"],
        ["range", "approve", "--by", "P01", "--location", "L", "--medical", "M", "--day",
         "2026-12-01"],
        ["work", "resume", "--by", "P01", "--reason", "r"],
        ["announce", "F01", "--by", AD],
        ["day", "break", "--by", AD, "--kind", "lunch"],
        ["day", "wrap", "--by", AD],
        ["setting", "set", "blank_distance_ft", "30", "--by", "P01"],
        ["ammo", "receive", "--by", "P01", "--class", "dummy", "--calibre", ".45 Colt",
         "--count", "5", "--supplier", "S", "--provenance", "P", "--store", "Armory safe"],
        ["ammo", "inspect", "A01", "--by", "P01", "--inspected", "1", "--inert", "1",
         "--method", "rattle"],
    ]  # fmt: skip
    before = entries(tmp_path / "set.db")
    for args in signed:
        result = cli.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Your PIN is needed" in result.stderr, args
    wrong = cli.invoke(
        app,
        ["day", "open", "--by", "P01", "--swept", "Armory safe"],
        env={"COLDCHECK_PIN": "999999"},
    )
    assert wrong.exit_code == 3
    assert "PIN is not correct" in wrong.stderr
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n", encoding="utf-8")
    assert entries(tmp_path / "set.db") == before
    ok(cli, "day", "open", "--by", "P01", "--swept", "Armory safe", "--pin-file", str(pin_file))
    signed_entry = json.loads(ok(cli, "log", "--json"))[-1]
    assert (signed_entry["type"], signed_entry["attest"]) == ("day.opened", ["P01"])


def test_breaks_stop_calls_and_the_day_resumes(cli: CliRunner) -> None:
    production(cli)
    ok(cli, "day", "open", "--by", "P01", "--swept", "Armory safe", env=SIGN)
    lunch = data(cli, "day", "break", "--by", AD, "--kind", "lunch", env=SIGN)
    assert lunch["events"] == [{"type": "day.break", "kind": "lunch", "by": "P03"}]
    assert "ON LUNCH" in ok(cli, "status")
    refused(cli, "R-08", "custody", "take", "F01", "--by", "P01")
    wrong = cli.invoke(app, ["day", "break", "--by", AD, "--kind", "wrap"], env=SIGN)
    assert wrong.exit_code == 2
    assert "coldcheck day wrap" in wrong.stderr
    assert "Day resumed" in ok(cli, "day", "resume", "--by", AD)
    assert "opening check on record; working." in ok(cli, "status")
    again = cli.invoke(app, ["day", "resume", "--by", AD])
    assert again.exit_code == 3
    assert "not on a break" in again.stderr


def test_training_plans_and_meetings_are_listed(cli: CliRunner) -> None:
    production(cli)
    set_up(cli)
    training = data(cli, "training", "list")
    assert training == [{"person": "P02", "name": "Jack Colt", "action": "revolver",
                         "seq": training[0]["seq"]}]  # fmt: skip
    assert "Jack Colt  revolver" in ok(cli, "training", "list")
    plans = data(cli, "plan", "list")
    assert (plans[0]["scene"], plans[0]["approved"], plans[0]["firearms"][0]["class"]) == (
        "12A",
        True,
        "empty",
    )
    assert "F01 empty" in ok(cli, "plan", "list")
    shown = data(cli, "plan", "show", "12A")
    assert "R-36 Never point a firearm at anyone or at the lens." in shown["briefing"]
    missing = cli.invoke(app, ["plan", "show", "99"])
    assert missing.exit_code == 4
    meetings = data(cli, "meeting", "list")
    assert meetings[0]["attendee_names"] == ["Dana Whitfield", "Hannah Reed", "Jack Colt"]
    assert meetings[0]["awaiting_names"] == ["Hannah Reed"]  # the talent confirmed; the lead signed
    assert "M01" in ok(cli, "meeting", "list")
    called = data(cli, "status")["firearms"][0]["call"]
    assert called["scene"] == "12A"
    cut = data(cli, "cut", "12A", "--by", AD)
    assert cut["events"][0]["type"] == "take.cut"
    assert data(cli, "status")["firearms"][0]["call"] is None


def test_concerns_and_the_armorers_stop_show_as_stop_work(cli: CliRunner) -> None:
    production(cli)
    advisor(cli)
    out = ok(cli, "concern", "raise", "No meeting was held for 14B", "--by", "Jack Colt", "--stop")
    assert "firearms work is STOPPED until it is answered" in out
    ok(cli, "concern", "raise", "The prop cart was left open", "--by", AD)
    assert "STOP-WORK R-52: safety concern C01" in ok(cli, "status")
    listed = ok(cli, "concern", "list").splitlines()
    assert listed[2].startswith("C01  STOP")
    assert listed[3].startswith("C02  OPEN")
    ok(cli, "concern", "answer", "C01", "--by", ADVISOR, "--answer", "Meeting set for 14B.",
       env=SIGN)  # fmt: skip
    rows = data(cli, "concern", "list")
    assert [(r["concern"], r["answered"]) for r in rows] == [("C02", False), ("C01", True)]
    assert "Firearms work allowed." in ok(cli, "status")
    stopped = data(cli, "work", "stop", "--by", "P01", "--reason", "Wind too strong for blanks")
    assert stopped["events"][0]["type"] == "work.stopped"
    assert "STOP-WORK R-47: Hannah Reed stopped firearms work" in ok(cli, "status")
    resume = ("work", "resume", "--by", "P01", "--reason", "Calm")
    assert cli.invoke(app, list(resume), input="\n").exit_code != 0  # the armorer's PIN
    assert "Your stop is lifted" in ok(cli, *resume, env=SIGN)
    assert "Firearms work allowed." in ok(cli, "status")


def test_reality_is_recorded_with_its_alarm_and_a_missing_firearm_stops_work(
    cli: CliRunner,
) -> None:
    production(cli)
    advisor(cli)
    neither = cli.invoke(app, ["custody", "report", "F01", "--by", AD])
    assert neither.exit_code == 2
    found = ok(cli, "custody", "report", "F01", "--by", AD, "--person", AD, "--note", "on my chair")
    assert "F01 recorded with Dana Whitfield, as reported" in found
    assert "ALARM R-13: F01 was reported with Dana Whitfield" in found
    reported = data(cli, "custody", "report", "F01", "--by", "P01", "--store", "Armory safe")
    assert reported["alerts"] == []
    lost = ok(cli, "custody", "missing", "F01", "--by", "P01", "--note", "not in the safe")
    assert "F01 reported MISSING" in lost
    assert "INCIDENT I01 opened (firearm missing): firearms work stopped" in lost
    status = ok(cli, "status")
    assert "MISSING" in row(status, "F01")
    assert "STOP-WORK R-51" in status
    assert "R-53 F01: F01 is missing." in status
    ok(cli, "custody", "report", "F01", "--by", "P01", "--store", "Armory safe")
    ok(cli, "incident", "close", "I01", "--by", ADVISOR,
       "--findings", "Found behind the safe.", "--action", "Safe inventory at lunch.",
       env=SIGN)  # fmt: skip
    opened = ok(cli, "incident", "open", "near_miss", "--by", AD,
                "--description", "Muzzle swept the boom operator.", "--firearm", "F01")  # fmt: skip
    assert "INCIDENT I02 opened (near miss)" in opened
    assert [i["open"] for i in data(cli, "incident", "list")] == [True, False]


def test_settings_waivers_and_range_sessions(cli: CliRunner) -> None:
    production(cli)
    advisor(cli)
    assert "blank_distance_ft is now 30" in ok(
        cli, "setting", "set", "blank_distance_ft", "30", "--by", ADVISOR, env=SIGN
    )
    granted = data(cli, "waiver", "grant", "misfire_wait_seconds", "5", "--by", ADVISOR,
                   "--reason", "The rental house rule is 5 s.", env=SIGN)  # fmt: skip
    assert granted["events"][0]["waiver"] == "W01"
    settings = {s["setting"]: s for s in data(cli, "setting", "list")}
    assert settings["blank_distance_ft"]["value"] == 30
    assert settings["misfire_wait_seconds"]["waived"] is True
    assert "WAIVED" in ok(cli, "setting", "list")
    assert data(cli, "waiver", "list")[0]["advisor_name"] == ADVISOR
    assert "W01  misfire_wait_seconds" in ok(cli, "waiver", "list")
    assert "NOTICE R-49 W01" in ok(cli, "alerts")
    session = ok(cli, "range", "approve", "--by", ADVISOR, "--location", "LA Gun Club",
                 "--medical", "EMT on site", "--day", "2026-12-01", env=SIGN)  # fmt: skip
    assert "Range session R01 approved for 2026-12-01" in session
    received = data(cli, "range", "receive", "R01", "--by", "P01", "--calibre", ".45 Colt",
                    "--count", "100", "--supplier", "Winchester",
                    "--provenance", "Lot W-1")  # fmt: skip
    assert received["events"][0]["lot"] == "L01"
    assert data(cli, "ammo", "list") == []  # never in the set's inventory


def test_alerts_is_quiet_and_exits_0_when_all_is_well(cli: CliRunner) -> None:
    production(cli)
    assert ok(cli, "alerts") == "No alerts.\n"
    assert data(cli, "alerts") == []
    text = ok(cli, "status")
    assert "Alerts: none." in text
    assert "NO opening check on record (coldcheck day open)" in text
