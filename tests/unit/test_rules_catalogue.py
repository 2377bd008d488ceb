"""The rule catalogue covers every R-id, says truly what is enforced, and its doc is current."""

from __future__ import annotations

import re
from pathlib import Path

from coldcheck.app.catalogue import protocol_markdown, rows
from coldcheck.domain.protocol import BRIEF_RULES
from coldcheck.domain.rules import RULES, Treatment

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "src" / "coldcheck" / "domain"


def test_every_rule_of_the_protocol_reference_is_in_the_catalogue() -> None:
    assert list(RULES) == [f"R-{n:02d}" for n in range(1, 59)]
    assert all(r.statement and r.applies and r.treatments for r in RULES.values())


def test_every_rule_id_the_domain_cites_is_in_the_catalogue_and_marked_enforced() -> None:
    cited = set()
    for module in DOMAIN.glob("*.py"):
        if module.name != "rules.py":
            cited |= set(re.findall(r'"(R-\d\d)"', module.read_text(encoding="utf-8")))
    assert cited, "the domain cites rule ids"
    assert {rid for rid in cited if not RULES[rid].enforced} == set()
    # rules applied only by recording (no refusal to cite) are the exception, listed here;
    # rules applied by briefing appear in every safety meeting's briefing
    recorded_only = {"R-28", "R-32", "R-36", "R-56"}
    briefed = {line[:4] for line in BRIEF_RULES}
    assert briefed == {"R-10", "R-37", "R-39", "R-43", "R-50"}
    assert {r.id for r in RULES.values() if r.enforced} == cited | recorded_only | briefed


def test_at_least_forty_rules_are_applied_by_refusal_gate_record_or_alert() -> None:
    acting = {Treatment.REFUSE, Treatment.GATE, Treatment.RECORD, Treatment.ALERT}
    applied = [r.id for r in RULES.values() if r.enforced and set(r.treatments) & acting]
    assert len(applied) >= 40, applied


def test_docs_protocol_md_is_generated_from_the_catalogue() -> None:
    current = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    assert current == protocol_markdown(), "run: coldcheck rules --markdown > docs/protocol.md"


def test_the_enforced_listing_holds_only_enforced_rules() -> None:
    enforced = rows(enforced_only=True)
    assert enforced
    assert all(row["enforced"] for row in enforced)
    assert len(rows()) == 58
