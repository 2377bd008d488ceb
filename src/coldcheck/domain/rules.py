"""The rules this code applies, by id (the ids of ../shared/protocol-reference.md).

Only the rules the current code enforces are listed; the safety-protocol work adds the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Treatment(StrEnum):
    REFUSE = "refuse"
    GATE = "gate"
    RECORD = "record"
    ALERT = "alert"
    BRIEF = "brief"


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    id: str
    statement: str
    treatments: tuple[Treatment, ...]
    applies: str
    source: str


_BULLETIN = "Industry-Wide Labor-Management Safety Committee, Safety Bulletin #1"

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            id="R-04",
            statement="Every firearm and replica is registered with the armorer.",
            treatments=(Treatment.REFUSE,),
            applies="custody moves name registered firearms only",
            source=_BULLETIN,
        ),
        Rule(
            id="R-11",
            statement="One designated, qualified armorer has charge of all firearms.",
            treatments=(Treatment.GATE,),
            applies="firearms can be added only once a head armorer is designated",
            source=_BULLETIN,
        ),
        Rule(
            id="R-12",
            statement="Firearms not in use are kept in a locked container under "
            "the armorer's control.",
            treatments=(Treatment.RECORD, Treatment.REFUSE),
            applies="only an armorer takes a firearm out of a store or puts it in; stores "
            "and their lock state are recorded",
            source=_BULLETIN,
        ),
        Rule(
            id="R-13",
            statement="A firearm is never parked with anyone but the talent using it.",
            treatments=(Treatment.REFUSE,),
            applies="hand-offs to anyone but a talent are refused",
            source=_BULLETIN,
        ),
        Rule(
            id="R-14",
            statement="Only the armorer hands a firearm to a performer, and only "
            "the armorer takes it back.",
            treatments=(Treatment.REFUSE,),
            applies="only armorer-to-talent and talent-to-armorer hand-offs",
            source=_BULLETIN,
        ),
        Rule(
            id="R-18",
            statement="A check-out/check-in system with signatures at each transfer.",
            treatments=(Treatment.RECORD,),
            applies="hand-offs are proposed and accepted, each signed with the person's key",
            source="SHAPE BC Safety with Firearms",
        ),
        Rule(
            id="R-45",
            statement="The armorer holds the permits the jurisdiction requires.",
            treatments=(Treatment.GATE,),
            applies="armorer actions need a permit on file that has not expired",
            source="California Labor Code §9153",
        ),
    )
}
