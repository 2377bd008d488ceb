"""The rule catalogue as a read model: rows for the CLI and API, and docs/protocol.md."""

from __future__ import annotations

from typing import Any

from coldcheck.domain.rules import RULES, SECTIONS


def rows(enforced_only: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "section": f"{r.section}. {SECTIONS[r.section]}",
            "statement": r.statement,
            "treatments": [t.value for t in r.treatments],
            "applies": r.applies,
            "enforced": r.enforced,
            "status": r.status,
            "source": r.source,
        }
        for r in RULES.values()
        if r.enforced or not enforced_only
    ]


def protocol_markdown() -> str:
    """docs/protocol.md, generated: `coldcheck rules --markdown > docs/protocol.md`."""
    enforced = sum(r.enforced for r in RULES.values())
    lines = [
        "# The safety protocol: rule catalogue",
        "",
        "Generated from `coldcheck.domain.rules` by `coldcheck rules --markdown`; a test keeps",
        "this file current. The rules, their ids and sources come from the protocol reference",
        "(`../shared/protocol-reference.md`). *Status* says whether this version of coldcheck",
        "applies the rule (enforced), some of its treatments (partly), or not yet (planned);",
        "*how coldcheck applies it* is the full treatment.",
        f"{enforced} of {len(RULES)} rules are applied now, wholly or in part.",
        "",
        "Treatments: **refuse** (the command is refused with the rule id, nothing is written),",
        "**gate** (allowed only when a required record exists), **record** (written to the",
        "ledger with who attested it), **alert** (a breach that already happened is recorded",
        "and raises an alarm), **brief** (in the safety briefing and reports only), **report**",
        "(produced in reports).",
    ]
    for key, title in SECTIONS.items():
        lines += [
            "",
            f"## {key}. {title}",
            "",
            "| id | rule | treatment | how coldcheck applies it | status |",
            "|---|---|---|---|---|",
        ]
        for r in RULES.values():
            if r.section == key:
                kinds = ", ".join(t.value for t in r.treatments)
                lines.append(f"| {r.id} | {r.statement} | {kinds} | {r.applies} | {r.status} |")
    return "\n".join(lines) + "\n"
