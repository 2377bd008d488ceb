"""Loading scenario files: a valid file becomes typed steps; an invalid one is refused with one
sentence naming the file and the line, before anything runs."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coldcheck.app import handlers
from coldcheck.app.actions import ACTIONS
from coldcheck.app.dispatch import CALLS
from coldcheck.domain.values import Role
from coldcheck.scenario.loader import DEFAULT_START, load, parse
from coldcheck.scenario.model import Expect, ScenarioError

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
name: Tiny
description: A small production for loader tests.
cast:
  - name: Hannah Reed
    roles: [armorer]
    head_armorer: yes
    permit: {number: EFP-1, authority: CA DOJ, expires: 2027-01-31}
  - name: Dana Whitfield
    roles: [first_ad]
  - name: Jack Colt
    roles: [talent]
stores:
  - {name: Armory safe, kind: safe}
firearms:
  - serial: UB-1
    make: Uberti
    model: 1873 Cattleman
    action: revolver
    calibre: .45 Colt
    capacity: "6"
    kind: blank_firing_real
    owner: Rentals
    store: Armory safe
steps:
"""
HEAD_LINES = HEAD.count("\n")


def with_steps(steps: str) -> str:
    return HEAD + steps


def refused(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse(text, "demo.yaml")
    return caught.value


def test_a_valid_file_becomes_typed_steps_with_defaults_and_lines() -> None:
    scenario = parse(
        with_steps(
            """\
  - actor: P01
    action: inspect
    firearm: F01
    positions: [blank:A01 x5, empty]
    note: "R-22: every chamber"
    wait: 1m30s
    expect: refused R-22
  - actor: jack colt
    action: accept
    firearm: UB-1
"""
        ),
        "demo.yaml",
    )
    assert scenario.start == DEFAULT_START == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert scenario.person_ids() == {
        "Hannah Reed": "P01",
        "Dana Whitfield": "P02",
        "Jack Colt": "P03",
    }
    inspect_step, accept_step = scenario.steps
    assert inspect_step.line == HEAD_LINES + 1
    assert inspect_step.actor == "Hannah Reed"
    assert inspect_step.args.texts("positions") == ("blank:A01",) * 5 + ("empty",)
    assert inspect_step.args.text("barrel") == "clear"
    assert inspect_step.args.text("phase") == "pre-use"
    assert inspect_step.wait == timedelta(minutes=1, seconds=30)
    assert inspect_step.expect == Expect(outcome="refused", rule="R-22")
    assert inspect_step.note == "R-22: every chamber"
    assert accept_step.actor == "Jack Colt"
    assert accept_step.number == 2
    assert accept_step.expect is None
    assert scenario.cast[0].roles == frozenset({Role.ARMORER})


def test_bad_yaml_names_its_line() -> None:
    error = refused(with_steps("  - actor: P01\n    action: take\n    firearm: [F01\n"))
    assert error.path == "demo.yaml"
    assert error.line >= HEAD_LINES + 3
    assert str(error).startswith(f"demo.yaml, line {error.line}: this is not valid YAML")


def test_a_tab_indented_file_names_the_line_of_the_tab() -> None:
    error = refused("name: x\ndescription: y\ncast:\n\t- name: z\n")
    assert error.line == 4


def test_an_unknown_action_names_its_line_and_suggests_the_nearest() -> None:
    error = refused(with_steps("  - actor: P01\n    action: hand-of\n    firearm: F01\n"))
    assert error.line == HEAD_LINES + 2
    assert "unknown action 'hand-of'; did you mean 'hand-off'?" in error.message


def test_a_missing_argument_names_the_step_line_and_the_argument() -> None:
    error = refused(
        with_steps("  - actor: P01\n    action: load\n    firearm: F01\n    lot: A01\n")
    )
    assert error.line == HEAD_LINES + 1
    assert "step 1 (load) is missing its argument 'count'" in error.message


def test_an_unknown_argument_names_its_line_and_what_the_action_takes() -> None:
    error = refused(with_steps("  - actor: P01\n    action: take\n    gun: F01\n"))
    assert error.line == HEAD_LINES + 3
    assert "'gun' is not an argument of take; it takes firearm" in error.message


def test_an_unknown_top_level_key_is_refused() -> None:
    error = refused("title: x\n" + with_steps("  - {actor: P01, action: take, firearm: F01}\n"))
    assert error.line == 1
    assert "unknown key 'title' in the scenario" in error.message


def test_an_unknown_key_in_a_cast_member_is_refused() -> None:
    text = with_steps("  - {actor: P01, action: take, firearm: F01}\n").replace(
        "    roles: [first_ad]\n", "    roles: [first_ad]\n    pin: '123456'\n"
    )
    error = refused(text)
    assert "unknown key 'pin' in a cast member" in error.message
    assert error.line == text.splitlines().index("    pin: '123456'") + 1


@pytest.mark.parametrize(
    "expect",
    ["refused R-99", "refuse R-29", "accepted R-29", "incident", "incident squib", "maybe"],
)
def test_a_bad_expectation_names_its_line(expect: str) -> None:
    error = refused(
        with_steps(f"  - actor: P01\n    action: take\n    firearm: F01\n    expect: {expect}\n")
    )
    assert error.line == HEAD_LINES + 4
    assert f"expect '{expect}'" in error.message


@pytest.mark.parametrize(
    ("expect", "parsed"),
    [
        ("accepted", Expect(outcome="accepted")),
        ("refused", Expect(outcome="refused")),
        ("refused r-29", Expect(outcome="refused", rule="R-29")),
        ("incident live-round-found", Expect(outcome="incident", kind="live_round_found")),
    ],
)
def test_every_form_of_expectation_is_understood(expect: str, parsed: Expect) -> None:
    text = with_steps(f"  - actor: P01\n    action: take\n    firearm: F01\n    expect: {expect}\n")
    assert parse(text).steps[0].expect == parsed


@pytest.mark.parametrize(
    ("step", "line", "words"),
    [
        (
            "    action: load\n    firearm: F01\n    lot: A01\n    count: six\n",
            4,
            "count must be a whole number",
        ),
        (
            "    action: concern\n    text: hello there\n    stop: maybe\n",
            3,
            "stop must be yes or no",
        ),
        (
            "    action: break\n    kind: tea\n",
            2,
            "kind 'tea' is not known; use one of: break, lunch, wrap",
        ),
        (
            "    action: inspect\n    firearm: F01\n    positions: [bullet x6]\n",
            3,
            "Position 'bullet' is not understood",
        ),
        (
            "    action: hand-off\n    firearm: F01\n    to: Alec\n",
            3,
            "to 'Alec' is not in the cast",
        ),
        (
            "    action: return\n    firearm: F01\n    store: Truck\n",
            3,
            "store 'Truck' is not one of the stores",
        ),
        (
            "    action: take\n    firearm: F01\n    wait: 20\n",
            3,
            "wait 20 has no unit; write 20s or 20m",
        ),
        (
            "    action: file-plan\n    scene: 1\n    firearms: [F01-blank]\n    distance_ft: 25\n",
            3,
            "'F01-blank' is not understood",
        ),
        (
            "    action: report-custody\n    firearm: F01\n",
            0,
            "needs exactly one of: person, store",
        ),
    ],
)
def test_an_ill_typed_argument_names_its_line(step: str, line: int, words: str) -> None:
    error = refused(with_steps("  - actor: P01\n" + step))
    assert error.line == HEAD_LINES + 1 + line
    assert words in error.message


def test_an_actor_outside_the_cast_is_refused() -> None:
    error = refused(with_steps("  - actor: Alec\n    action: take\n    firearm: F01\n"))
    assert error.line == HEAD_LINES + 1
    assert (
        "actor 'Alec' is not in the cast (Dana Whitfield, Hannah Reed, Jack Colt)" in error.message
    )


def test_a_key_given_twice_is_refused() -> None:
    error = refused(
        with_steps("  - actor: P01\n    action: take\n    firearm: F01\n    firearm: F02\n")
    )
    assert error.line == HEAD_LINES + 4
    assert "'firearm' is given twice" in error.message


def test_the_cast_needs_exactly_one_head_armorer() -> None:
    error = refused(
        with_steps("  - {actor: P01, action: take, firearm: F01}\n").replace(
            "head_armorer: yes", "head_armorer: no"
        )
    )
    assert "exactly one head armorer" in error.message
    assert error.line == 4


def test_live_rounds_are_not_part_of_the_setup() -> None:
    text = with_steps("  - {actor: P01, action: take, firearm: F01}\n").replace(
        "steps:\n",
        "ammunition:\n  - {class: live, calibre: .45 Colt, count: 5, supplier: x, provenance: y,"
        " store: Armory safe}\nsteps:\n",
    )
    error = refused(text)
    assert "live rounds are never part of a set's inventory (R-01)" in error.message


def test_a_bad_capacity_is_refused_by_the_domains_own_parser() -> None:
    error = refused(
        with_steps("  - {actor: P01, action: take, firearm: F01}\n").replace(
            'capacity: "6"', "capacity: six"
        )
    )
    assert "Capacity 'six' is not understood" in error.message


def test_an_empty_file_and_a_file_without_steps_are_refused() -> None:
    assert refused("").line == 1
    assert (
        "at least one step"
        in refused(with_steps("  []\n").replace("steps:\n  []", "steps: []")).message
    )


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path / "nope.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'nope.yaml'}: cannot read the file")


def test_a_start_without_a_time_zone_is_refused() -> None:
    error = refused(
        "start: 2026-03-02T07:00:00\n"
        + with_steps("  - {actor: P01, action: take, firearm: F01}\n")
    )
    assert error.line == 1
    assert "has no time zone" in error.message


def test_every_action_has_a_handler_call_and_names_a_real_handler() -> None:
    assert set(CALLS) == set(ACTIONS)
    for spec in ACTIONS.values():
        assert inspect.isfunction(getattr(handlers, spec.handler)), spec.name


def test_the_scenario_docs_describe_every_action_and_argument() -> None:
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^#### `([a-z-]+)`\n(.*?)(?=^#{2,4} )", docs, re.M | re.S))
    assert set(sections) == set(ACTIONS)
    for name, spec in ACTIONS.items():
        for arg in spec.args:
            assert f"`{arg.name}`" in sections[name], f"{name}: {arg.name} is not documented"


DOCS_CAST = """\
name: Docs
description: Every example step in docs/scenarios.md.
cast:
  - {name: Hannah Reed, roles: [armorer], head_armorer: yes}
  - {name: Marco Diaz, roles: [armorer]}
  - {name: Dana Whitfield, roles: [first_ad]}
  - {name: Jack Colt, roles: [talent]}
  - {name: Sam Tanaka, roles: [talent]}
  - {name: Ruth Okafor, roles: [safety_advisor]}
  - {name: Eli Brooks, roles: [producer]}
  - {name: Owen Hart, roles: [crew]}
stores:
  - {name: Armory safe, kind: safe}
firearms: []
steps:
"""


def test_every_example_step_in_the_docs_is_a_valid_step() -> None:
    docs = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    examples = re.findall(r"```yaml\n(- actor:.*?)```", docs, re.S)
    steps = "".join("  " + e.rstrip().replace("\n", "\n  ") + "\n" for e in examples)
    scenario = parse(DOCS_CAST + steps, "docs/scenarios.md")
    assert {step.action for step in scenario.steps} == set(ACTIONS)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads_and_expects_something_of_every_step(path: Path) -> None:
    scenario = load(path)
    assert scenario.steps
    assert all(step.expect is not None for step in scenario.steps)
