"""The rule catalogue: every rule of the protocol reference, with its id and treatment.

Transcribed from ../shared/protocol-reference.md (ids R-01 to R-58; the statements are that
file's paraphrases of the industry's Safety Bulletin #1, statutes and investigations, whose key
sources it lists). ``status`` says whether this version of coldcheck applies the rule (enforced),
some of its treatments (partly), or not yet (planned); ``applies`` is the full treatment. ``coldcheck
rules`` lists the catalogue and docs/protocol.md is generated from it (a test keeps it current).
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
    REPORT = "report"


SECTIONS: dict[str, str] = {
    "A": "Ammunition",
    "B": "Custody",
    "C": "Inspection and verification",
    "D": "Loading and announcements",
    "E": "Planning, meetings, notifications",
    "F": "Use on set",
    "G": "People and authority",
    "H": "Incidents, complaints, evidence",
    "I": "Records",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    id: str
    section: str
    statement: str
    treatments: tuple[Treatment, ...]
    applies: str
    status: str  # "enforced", "partly" (some of its treatments) or "planned"

    @property
    def enforced(self) -> bool:
        """True when this version applies the rule, wholly or in part."""
        return self.status != "planned"

    @property
    def source(self) -> str:
        return f"protocol reference, {self.section}. {SECTIONS[self.section]}"


# id, section, treatments, status now, statement, how coldcheck applies it
# fmt: off
_TABLE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ('R-01', 'A', 'refuse alert', 'enforced',
     'No live ammunition is used on, or brought onto, any set, stage or location.',
     'refuse: a live lot cannot enter set inventory. alert: a live round found anywhere opens a stop-work incident'),
    ('R-02', 'A', 'gate', 'enforced',
     'Exception (California): live ammunition only at a range or controlled facility for training/sound, certain documentaries etc., under the armorer, with medical staff available.',
     'gate: a separate range session approved by the safety advisor; its inventory never mixes with set inventory'),
    ('R-03', 'A', 'gate', 'enforced',
     'The production runs an active process that keeps live rounds off set, not just a written policy.',
     "gate: the armorer's daily opening check (stores, carts, belts swept; attested) before any firearm is issued"),
    ('R-04', 'A', 'refuse', 'enforced',
     'No personal firearms, replicas or ammunition; every firearm and replica is registered with the armorer.',
     'refuse: custody moves for an unregistered item'),
    ('R-05', 'A', 'gate', 'enforced',
     'Dummies are demonstrably inert and each is checked before loading (rattle, case hole, inert primer).',
     'gate: a dummy lot is loadable only after every round in it is inspected and recorded inert'),
    ('R-06', 'A', 'record refuse', 'enforced',
     'Only purpose-made theatrical blanks and dummies from known suppliers; never home-made or converted rounds.',
     'record: supplier and lot provenance on every lot; refuse: a lot without provenance'),
    ('R-07', 'A', 'refuse', 'enforced',
     'Use only the blank specified for that firearm; never interchange.',
     'refuse: loading rounds whose calibre does not match the firearm'),
    ('R-08', 'A', 'gate alert', 'enforced',
     "Firearms and ammunition are locked up whenever not under the armorer's direct supervision (breaks, lunch, overnight, transport).",
     'gate: a break or wrap can be called only when every firearm and round is in a locked store; alert otherwise'),
    ('R-09', 'A', 'refuse record alert', 'enforced',
     'Load only the rounds the action needs; count before and after each use; the armorer is given time to inventory.',
     'refuse: loading more than the scene plan allows. record + alert: reconciliation after each take and at wrap'),
    ('R-10', 'A', 'brief', 'enforced',
     'No smoking where ammunition is stored.',
     'brief'),
    ('R-11', 'B', 'gate', 'enforced',
     "One designated, qualified armorer has charge of all firearms, working with the production's safety representative.",
     'gate: a production needs a designated head armorer before firearms are added'),
    ('R-12', 'B', 'record', 'enforced',
     "Firearms not in use are unloaded and kept in a locked container under the armorer's control.",
     'record: stores and their lock state; custody is always a store or a person'),
    ('R-13', 'B', 'refuse alert', 'enforced',
     'A firearm is never out of the armorer\'s sight or "parked" with someone else (e.g. the AD).',
     'refuse: hand-off to anyone but the talent of the current set-up. alert: a firearm reported with anyone else'),
    ('R-14', 'B', 'refuse', 'enforced',
     'Only the armorer hands a firearm to a performer, and only the armorer takes it back.',
     'refuse: any hand-off that is not armorer→talent or talent→armorer'),
    ('R-15', 'B', 'alert', 'enforced',
     'The firearm goes back to the armorer as soon as "cut" is called.',
     'alert: a firearm still with talent after the take has ended'),
    ('R-16', 'B', 'record alert', 'partly',
     'While firearms are out, the armorer has no other duties.',
     'record; alert when the armorer is assigned other work while firearms are out'),
    ('R-17', 'B', 'gate', 'enforced',
     'Inventory whenever guns are issued; check, clean and inventory every firearm after use and at the end of each day.',
     "gate: wrap requires every firearm's post-use inspection and a reconciled inventory"),
    ('R-18', 'B', 'record', 'enforced',
     'A check-out/check-in system with signatures at each transfer.',
     'record: two-party hand-offs, each signed by both people'),
    ('R-19', 'C', 'gate', 'enforced',
     'The armorer checks each firearm before and after every use, including the barrel for obstructions.',
     'gate: no issue without a pre-use inspection; no return to store without a post-use inspection'),
    ('R-20', 'C', 'gate', 'partly',
     'Show clear at every hand-over, both ways, with confirmation from the recipient.',
     'gate: a hand-off completes only when the recipient attests what they were shown'),
    ('R-21', 'C', 'gate', 'enforced',
     'Before use, the 1st AD asks the armorer to demonstrate the firearm is safe.',
     "gate: an announcement needs the 1st AD's witnessed check"),
    ('R-22', 'C', 'refuse', 'enforced',
     'Every chamber and every round is checked, not a sample; a revolver cylinder is fully rotated.',
     "refuse: an inspection that does not cover every position of the firearm's capacity"),
    ('R-23', 'C', 'record', 'enforced',
     "Re-check whenever a firearm returns after being out of the checker's sight.",
     'a verification is void once the firearm leaves the armorer→talent chain, is discharged, or a configurable time passes'),
    ('R-24', 'C', 'gate', 'enforced',
     'The performer checks the firearm every time they take it; anyone may ask to inspect it.',
     "gate: the talent's acceptance includes their own check"),
    ('R-25', 'C', 'record', 'enforced',
     'Only a qualified person repairs or adjusts a firearm; a jam or malfunction goes back to the armorer.',
     'record: malfunction puts the firearm out of service until the armorer clears it'),
    ('R-26', 'D', 'refuse', 'enforced',
     'Only the armorer (or someone under their direct supervision) loads firearms.',
     'refuse: loading by anyone else'),
    ('R-27', 'D', 'gate', 'enforced',
     'Load at the last moment, only when the 1st AD calls for that firearm.',
     "gate: blanks loaded only after the 1st AD's call for that firearm in the current set-up"),
    ('R-28', 'D', 'record', 'enforced',
     'Announce the state of the firearm to the set, including the blank load.',
     'the announcement text is generated from the verified load state'),
    ('R-29', 'D', 'refuse', 'enforced',
     'A "cold gun" call must rest on the armorer\'s own verification; the AD never substitutes for the armorer.',
     'refuse: an announcement without a valid verification'),
    ('R-30', 'E', 'gate', 'enforced',
     'A safety meeting with walk-through before firearms are used, every day they are used, covering action, deviations, abort plan, emergencies, chain of command.',
     "gate: issue to a talent only after that day's meeting for the scene with that talent present"
     " (on the lead's roll and confirmed with their own PIN)"),
    ('R-31', 'E', 'gate', 'enforced',
     'A written risk assessment for firearms scenes, prepared or endorsed by the armorer.',
     'gate: a scene firearms plan with risk assessment approved before issue'),
    ('R-32', 'E', 'record', 'enforced',
     'Each day the 1st AD and armorer agree the schedule of firearm use.',
     'record: the day plan'),
    ('R-33', 'E', 'record', 'planned',
     'Firearms and blanks are tested for suitability in pre-production.',
     'record: a function test per firearm before first use'),
    ('R-34', 'E', 'gate record', 'planned',
     'Police and film office are notified of weapons use (e.g. Los Angeles: at least 30 minutes before, officer present in public view).',
     'gate (configurable): a notification record before firing in a public location'),
    ('R-35', 'E', 'record', 'enforced',
     'Prefer alternatives (rubber, replica, airsoft with visual-effects flashes) wherever they get the shot.',
     'record: the plan states why a blank-firing gun is needed'),
    ('R-36', 'F', 'record brief', 'enforced',
     'Never point a firearm at anyone; if a shot needs it aimed at a person or the lens, the armorer must approve.',
     "record: the plan's pointing approval; brief"),
    ('R-37', 'F', 'brief', 'enforced',
     'Finger off the trigger until ready to fire; know the target.',
     'brief'),
    ('R-38', 'F', 'refuse', 'enforced',
     'Keep at least 20 ft between the muzzle and anyone when firing blanks, unless special close-range blanks are used; even a quarter load is dangerous.',
     'refuse: a blank-firing plan with a distance under 20 ft unless close-range blanks are specified'),
    ('R-39', 'F', 'brief', 'enforced',
     'Never discharge anything that emits a projectile or forward blast directly at anyone.',
     'brief (with R-38)'),
    ('R-40', 'F', 'gate', 'enforced',
     'Shields and eye/ear protection for everyone near blank fire.',
     'gate: a blank-firing plan lists shields and protective equipment'),
    ('R-41', 'F', 'gate', 'enforced',
     'Warn cast and crew before any weapon is fired.',
     'gate: "hot" announcement before a blank-loaded firearm is handed over'),
    ('R-42', 'F', 'record', 'enforced',
     "On a misfire, keep the muzzle safe and wait (15 s in one rental house's rules) before clearing.",
     'record: misfire; the clear is allowed only after the wait'),
    ('R-43', 'F', 'record brief', 'partly',
     'No horseplay; no firearm for anyone impaired.',
     "record: the armorer's refusal to issue; brief"),
    ('R-44', 'F', 'gate record', 'enforced',
     'Nobody is issued a firearm until trained in its safe handling.',
     "gate: the talent's training record for that firearm type"),
    ('R-45', 'G', 'gate', 'enforced',
     'The armorer holds the licences/permits the jurisdiction requires, covering every weapon used.',
     'gate: armorer actions need a permit on file that has not expired'),
    ('R-46', 'G', 'alert', 'enforced',
     'The employer provides enough qualified armorer staff. (No source gives a ratio.)',
     'alert: firearms out per armorer on set above a configured limit'),
    ('R-47', 'G', 'record', 'enforced',
     'The armorer has real authority over firearm decisions and time for safety duties.',
     'the armorer can stop firearms work at any moment'),
    ('R-48', 'G', 'record', 'planned',
     'The employer names a compliance contact for firearm issues.',
     'record: production setting, shown in reports'),
    ('R-49', 'G', 'record', 'enforced',
     'A safety advisor independent of other roles.',
     'record: the role; it signs incident closures and waivers'),
    ('R-50', 'G', 'brief', 'enforced',
     'People in safety-critical roles are vetted for experience and prior history.',
     'brief'),
    ('R-51', 'H', 'gate', 'enforced',
     'Every accidental discharge or misfire is investigated, with corrective action and a renewed safety briefing, before firearms are used again.',
     'gate: stop-work until the incident is closed by the safety advisor or producer and a new meeting is held'),
    ('R-52', 'H', 'record alert', 'enforced',
     'Crew safety complaints are recorded, answered and acted on.',
     'record + alert: concerns must be answered; a concern marked "stop" stops firearms work until answered'),
    ('R-53', 'H', 'alert', 'enforced',
     'Loss or theft is reported at once to production and police.',
     'alert: missing firearm opens an incident'),
    ('R-54', 'H', 'refuse', 'enforced',
     'After a discharge incident, firearms and rounds are preserved as evidence, not unloaded or thrown away.',
     "refuse: unloading, cleaning or moving items on evidence hold except into an investigator's custody"),
    ('R-55', 'I', 'record', 'planned',
     'US licensees record acquisitions by the next business day and dispositions within 7 days in the bound book.',
     'record + export: acquisitions and dispositions with rental houses'),
    ('R-56', 'I', 'record', 'partly',
     'Local permits travel with the firearms and are shown on request.',
     'record: documents attached to firearms and people'),
    ('R-57', 'I', 'report', 'planned',
     'A register of each firearm, who was authorised to use it, and the periods it was out of safe storage.',
     'report'),
    ('R-58', 'I', 'report', 'planned',
     "The safety bulletins for the day's work go out with the call sheet.",
     "report: the day's safety sheet"),
)
# fmt: on

RULES: dict[str, Rule] = {
    rid: Rule(
        id=rid,
        section=section,
        statement=statement,
        treatments=tuple(Treatment(t) for t in kinds.split()),
        applies=applies,
        status=status,
    )
    for rid, section, kinds, status, statement, applies in _TABLE
}
