"""coldcheck scenario run, as an armorer or a script uses it: every shipped scenario holds its
expectations, the Rust replay names the step and the rule at which coldcheck stops each
failure, a failed expectation exits 1 naming the step, an invalid file exits 2 naming the line
(and nothing runs), and --json parses."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from coldcheck.app.dispatch import CALLS
from coldcheck.app.journal import Appended
from coldcheck.cli.main import app
from coldcheck.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
RUST = ROOT / "scenarios" / "rust-2021.yaml"

SMALL = """\
name: Small
description: An empty-gun take, for the CLI tests.
start: 2026-03-02T08:00:00Z
cast:
  - name: Hannah Reed
    roles: [armorer]
    head_armorer: yes
    permit: {number: EFP-1, authority: CA DOJ, expires: 2027-01-31}
  - name: Dana Whitfield
    roles: [first_ad]
stores:
  - {name: Set cart, kind: cart, locked: no}
firearms:
  - {serial: UB-1, make: Uberti, model: 1873 Cattleman, action: revolver, calibre: .45 Colt,
     capacity: "6", kind: blank_firing_real, owner: Rentals, store: Set cart}
steps:
  - actor: Hannah Reed
    action: open-day
    swept: [Set cart]
    expect: accepted
  - actor: Dana Whitfield
    action: call
    firearm: F01
    scene: 3
    expect: {expect}
"""


def run(cli: CliRunner, *args: str | Path) -> Result:
    return cli.invoke(app, ["scenario", "run", *(str(a) for a in args)])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_scenarios_are_all_here() -> None:
    names = {p.name for p in SCENARIOS}
    assert {
        "normal-hot-day.yaml",
        "rust-2021.yaml",
        "the-crow-1993.yaml",
        "lunch-with-ammo-out.yaml",
        "expired-permit.yaml",
        "talent-to-actor.yaml",
    } <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_holds_its_expectations_and_its_ledger_verifies(
    cli: CliRunner, path: Path
) -> None:
    result = run(cli, path)
    assert result.exit_code == 0, result.output
    steps = len(load(path).steps)
    assert f"all {steps} expectations hold." in result.stdout
    assert re.search(r"^ledger verifies: \d+ entries", result.stdout, re.M), result.stdout
    assert "EXPECTATION FAILED" not in result.stdout


def test_the_rust_replay_names_each_refused_step_and_its_rule(cli: CliRunner) -> None:
    result = run(cli, RUST)
    out = result.stdout
    refused = [s for s in load(RUST).steps if s.expect is not None and s.expect.rule]
    for step in refused:
        rule = step.expect.rule if step.expect else ""
        line = rf"^\s*{step.number}  line {step.line}\s.*->  REFUSED {rule}: .*\[as expected\]$"
        assert re.search(line, out, re.M), f"step {step.number} ({rule}) not shown as refused"
    stops = next(x for x in out.splitlines() if x.startswith("coldcheck refused: "))
    for step in refused:
        assert f"step {step.number} {step.expect.rule if step.expect else ''}" in stops
    rules = {s.expect.rule for s in refused if s.expect}
    assert {"R-01", "R-05", "R-13", "R-14", "R-22", "R-29", "R-30", "R-51", "R-52"} <= rules
    assert {"R-31", "R-45", "R-54", "R-08", "R-12"} <= rules
    # record reality: the gun found with the AD is recorded, and the alarm goes up
    assert "! alarm R-13: F02 was reported with Dana Whitfield" in out
    # and every failure F1-F18 the scenario replays is named in a note next to its step
    assert {f"F{n}" for n in (1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 17)} <= set(
        re.findall(r"\bF\d+\b", out)
    )


def test_the_docs_quote_the_rust_output_as_it_is(cli: CliRunner) -> None:
    out = run(cli, RUST).stdout.splitlines()
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    walk = docs[docs.index("## Walk-through: the Rust scenario") :]
    quoted = [
        line
        for line in walk.splitlines()
        if re.match(r"^\s*\d+  line \d+ ", line)
        or line.startswith(("Rust, 2021: ", "coldcheck refused: ", "all "))
    ]
    assert len(quoted) >= 8
    for line in quoted:
        assert line in out, f"the docs quote a line the run does not print: {line}"


def test_the_minimal_example_in_the_docs_runs(cli: CliRunner, tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    minimal = re.search(r"```yaml\n(name: .*?)```", docs, re.S)
    assert minimal is not None
    result = run(cli, write(tmp_path, "minimal.yaml", minimal.group(1)))
    assert result.exit_code == 0, result.output
    assert "all 2 expectations hold." in result.stdout


def test_a_failed_expectation_exits_1_and_names_the_step(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "wrong.yaml", SMALL.replace("{expect}", "accepted"))
    result = run(cli, path)
    assert result.exit_code == 1, result.output
    assert re.search(
        r"^\s*2  line 21 .*REFUSED R-31: .*\[EXPECTATION FAILED: expected accepted, but it "
        r"was refused R-31\]$",
        result.stdout,
        re.M,
    )
    assert "1 of 2 expectations FAILED:" in result.stdout
    assert "  step 2 (line 21, call F01 for 3): expected accepted, but it was refused R-31" in (
        result.stdout
    )


def test_a_wrong_rule_is_a_failed_expectation(cli: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, "rule.yaml", SMALL.replace("{expect}", "refused R-27"))
    result = run(cli, path)
    assert result.exit_code == 1
    assert "expected refused R-27, but it was refused R-31" in result.stdout


def test_an_invalid_file_exits_2_names_the_line_and_nothing_runs(
    cli: CliRunner, tmp_path: Path
) -> None:
    good = write(tmp_path, "good.yaml", SMALL.replace("{expect}", "refused R-31"))
    bad = write(
        tmp_path, "bad.yaml", SMALL.replace("{expect}", "refused R-31").replace("call", "shout")
    )
    result = run(cli, good, bad)
    assert result.exit_code == 2
    assert result.stdout == ""  # not even the valid file ran
    assert result.stderr == (
        f"coldcheck: {bad}, line 22: step 2: unknown action 'shout'; see docs/scenarios.md "
        "for the list.\n"
    )


def test_bad_yaml_exits_2_naming_the_line(cli: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", SMALL.replace("swept: [Set cart]", "swept: [Set cart"))
    result = run(cli, bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"coldcheck: {bad}, line 19: this is not valid YAML")


def test_a_refused_setup_exits_2_naming_the_line(cli: CliRunner, tmp_path: Path) -> None:
    expired = SMALL.replace("{expect}", "refused").replace("2027-01-31", "2026-01-31")
    result = run(cli, write(tmp_path, "expired.yaml", expired))
    assert result.exit_code == 2
    assert "line 14: the setup is refused: R-45: Hannah Reed's armorer permit EFP-1 expired" in (
        result.stderr
    )


def test_json_lists_files_steps_and_outcomes(cli: CliRunner) -> None:
    result = run(cli, ROOT / "scenarios" / "normal-hot-day.yaml", "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert (data["ok"], data["exit_code"]) == (True, 0)
    (file,) = data["files"]
    assert file["name"] == "Normal hot day"
    assert file["summary"]["failed"] == []
    assert file["ledger"]["verified"] is True
    assert file["ledger"]["entries"] > len(file["steps"])
    by_outcome = {s["outcome"] for s in file["steps"]}
    assert by_outcome == {"accepted", "refused"}
    hot = next(s for s in file["steps"] if s["refusal"] and s["refusal"]["rule"] == "R-41")
    assert hot["action"] == "hand-off"
    assert hot["arguments"] == {"firearm": "F01", "to": "Jack Colt"}
    assert (hot["expect"], hot["matched"], hot["events"]) == ("refused R-41", True, [])
    announced = next(s for s in file["steps"] if s["announcement"])
    assert announced["announcement"].startswith("Hot: revolver F01")
    assert announced["events"] == ["firearm.announced"]


def test_json_for_an_invalid_file_names_the_line(cli: CliRunner, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", SMALL.replace("{expect}", "refused R-99"))
    result = run(cli, bad, "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["error"] == {
        "kind": "invalid-scenario",
        "file": str(bad),
        "line": 25,
        "message": "expect 'refused R-99': R-99 is not a rule (R-01 to R-58).",
    }


def test_a_defect_met_at_a_step_exits_70_naming_the_step(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> Appended:
        raise KeyError("F99")

    monkeypatch.setitem(CALLS, "call", broken)
    path = write(tmp_path, "crash.yaml", SMALL.replace("{expect}", "refused R-31"))
    result = run(cli, path)
    assert result.exit_code == 70
    assert result.stdout == ""
    assert f"{path}, line 21: step 2 (call) met an internal error (KeyError: 'F99')" in (
        result.stderr
    )


def test_several_files_run_in_one_go(cli: CliRunner, tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", SMALL.replace("{expect}", "refused R-31"))
    two = write(tmp_path, "two.yaml", SMALL.replace("{expect}", "refused"))
    result = run(cli, one, two)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("all 2 expectations hold.") == 2
    assert result.stdout.rstrip().endswith("2 scenarios run: all expectations hold.")
