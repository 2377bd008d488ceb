"""Properties of the whole shooting-day protocol, over random sequences of commands.

A state machine starts from a production ready to shoot: a head armorer with a permit, an
assistant armorer without one, two talents, a 1st AD, a producer, a safety advisor, an
investigator and a crew member; an unlocked safe holding a revolver (.45 Colt, 6) and the
ammunition, a locked cart holding a pistol (9mm, 15+1); a blank and a dummy lot per calibre (the
dummies shown inert) and, in some runs, a dummy lot with a round found not inert. It drives
every protocol command against the pure domain: ``decide`` at a simulated time, then ``evolve``
for each event produced, stamped with that time. Three kinds of steps mix:

- the crew follows the protocol for a few steps: the next command a diligent armorer, 1st AD,
  talent and reviewer would give towards a take (open the day, train, file and approve the
  plan, hold the meeting, take, call, load, inspect, show, announce, issue, fire, cut, hand back,
  inspect after use, unload, count, put away, lock, break or wrap) or towards repairing what
  went wrong (close an incident, answer a concern, resume work, say where a firearm really is).
  Now and then the crew is careless: the wrong person acts, a step is skipped (training, the
  meeting, briefing a changed plan, showing the 1st AD or the talent, the announcement), rounds
  are topped up after the check, a break is called before locking up, a wrap before counting,
  a misfire fires late, a shot is fired after "cut" or one more than the rounds on record;
- anyone tries anything: any command of the catalogue by anyone (a stranger included), valid
  values by default with one twisted now and then (live rounds, unknown ids, bad counts, a plan
  too near without shields...), so that it is accepted often enough to matter;
- time passes: seconds, minutes, up to an hour (and the night, after a wrap).

A refusal must leave the state as it was. What is accepted must keep the protocol's invariants,
checked where the decision is made (against the state it was made on: announcements, issues,
loads, breaks, discharges, evidence) and after every step (counts, custody, the inventory).
The share of runs reaching each milestone (an issue to a talent, an announcement, a planned
discharge, a balanced count, a break...) shows with ``--hypothesis-show-statistics``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar, TypeVar

from hypothesis import event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from tests.unit.domain_helpers import (
    ASSISTANT,
    CART,
    EVERYONE,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    OTHER_TALENT,
    PERMIT_EXPIRES,
    PRODUCER,
    SAFE,
    SAFETY,
    TALENT,
    TALENTS,
    decided,
    opened,
    permit,
    person,
    snapshot,
    store,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain import gates, verification
from coldcheck.domain.decide import decide
from coldcheck.domain.errors import Refusal
from coldcheck.domain.inspection import assess
from coldcheck.domain.rules import RULES
from coldcheck.domain.state import Plan, ProductionState, Stamp, evolve
from coldcheck.domain.values import (
    EVIDENCE_KINDS,
    AmmoClass,
    BlankLoad,
    DummyCheck,
    IncidentKind,
    Permit,
    Role,
)

CREW = "P09"
STRANGER = "P99"
PEOPLE = (*EVERYONE, CREW)
ACTORS = (*PEOPLE, STRANGER)
REVIEWERS = (PRODUCER, SAFETY)
REVOLVER = "F01"  # .45 Colt, 6 chambers, in the (unlocked) safe
PISTOL = "F02"  # 9mm, 15+1, in the (locked) cart
FIREARMS = (REVOLVER, PISTOL)
FIREARM_REFS = (*FIREARMS, "F03")
STORES = (SAFE, CART)
STORE_REFS = (*STORES, "S03")
SCENES = ("12A", "12B", "14")
SCENE_REFS = (*SCENES, "99", "  ")
BLANKS_45, DUMMIES_45, BLANKS_9, DUMMIES_9, SUSPECT = "A01", "A02", "A03", "A04", "A05"
LOT_REFS = (BLANKS_45, DUMMIES_45, BLANKS_9, DUMMIES_9, SUSPECT, "A06", "A99")
START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
SHOOT_DAY = timedelta(hours=20)
LAST_EVENING = datetime.combine(PERMIT_EXPIRES, time(18, 30), tzinfo=UTC)  # of HEAD's permit
RENEWED = Permit(
    number="CA-0042-R", authority="California DOJ", expires=date(2027, 12, 31)
)  # a shoot day without a wrap ends after this long
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SENTENCES = ("", "ok", "Checked with the whole crew", "Reviewed; the armorer re-briefed everyone")
ANNOUNCEABLE = ("EMPTY", "DUMMIES", "BLANKS")
# events after which a firearm's verification no longer holds: it left the armorer-talent
# chain, was fired or misfired, or its rounds changed
VOIDING = (
    ev.FirearmTaken,
    ev.FirearmReturned,
    ev.CustodyReported,
    ev.FirearmDischarged,
    ev.MisfireRecorded,
    ev.RoundsLoaded,
    ev.RoundsUnloaded,
)

# steps a careless crew skips now and then on the way to an issue (the domain must refuse it)
CORNERS = (
    "training",
    "meeting",
    "unconfirmed",
    "replan",
    "no load",
    "show the 1st AD",
    "show the talent",
    "show another talent",
    "announce",
    "top up",
)

# someone calls "stop" just as a firearm is handed to a talent
STOPS: tuple[Attempt, ...] = (
    (c.StopWork(reason="The talent looks unwell"), HEAD),
    (c.RaiseConcern(text="Camera is inside the stand-off", stop=True), CREW),
    (c.OpenIncident(kind="near_miss", description="A blank went off in the cart"), FIRST_AD),
    (c.OpenIncident(kind="injury", description="A grip cut his hand on the rig"), CREW),
)


@dataclass(frozen=True, slots=True)
class Wait:
    """The crew waits (a misfire, a break, the night)."""

    seconds: int


T = TypeVar("T")
Attempt = tuple[c.Command, str]  # a command, and who gives it
Step = Attempt | Wait


def stamp_at(seq: int, now: datetime) -> Stamp:
    return Stamp(seq=seq, time=now.strftime(TIME_FORMAT))


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def firearm_registered(
    fid: str, serial: str, where: str, *, action: str, calibre: str, chambers: int, magazine: int
) -> ev.Event:
    return ev.FirearmRegistered(
        firearm=fid,
        serial=serial,
        make="Uberti" if action == "revolver" else "Beretta",
        model="1873 Cattleman" if action == "revolver" else "92FS",
        action=action,
        calibre=calibre,
        chambers=chambers,
        magazine=magazine,
        kind="blank_firing_real",
        owner="Hollywood Rentals",
        documents=(),
        store=where,
    )


def production() -> list[ev.Event]:
    return [
        *opened(),
        *person(HEAD, "Hannah Reed", Role.ARMORER, head_armorer=True),
        *permit(HEAD),
        *person(TALENT, "Jack Colt", Role.TALENT),
        *person(FIRST_AD, "Ann Marsh", Role.FIRST_AD),
        *person(PRODUCER, "Paul Price", Role.PRODUCER),
        *person(INVESTIGATOR, "Ivy Stone", Role.INVESTIGATOR),
        *person(ASSISTANT, "Sam Hale", Role.ARMORER),
        *person(OTHER_TALENT, "Kit Lane", Role.TALENT),
        *person(SAFETY, "Sara Vance", Role.SAFETY_ADVISOR),
        *person(CREW, "Cody Grip", Role.CREW),
        *store(SAFE, "Main safe", locked=False),
        *store(CART, "Prop cart", locked=True, kind="cart"),
        firearm_registered(
            REVOLVER,
            "UB-1873-001",
            SAFE,
            action="revolver",
            calibre=".45 Colt",
            chambers=6,
            magazine=0,
        ),
        firearm_registered(
            PISTOL,
            "BE-92-7781",
            CART,
            action="semi_automatic_pistol",
            calibre="9mm",
            chambers=1,
            magazine=15,
        ),
    ]


def ammunition(*, suspect: bool) -> list[c.Command]:
    """The lots, received (and the dummies inspected) through ``decide``, as on set."""

    def lot(ammo_class: AmmoClass, calibre: str, count: int, load: BlankLoad | None) -> c.Command:
        return c.ReceiveAmmunition(
            ammo_class=ammo_class,
            calibre=calibre,
            count=count,
            supplier="Stembridge",
            provenance=f"Invoice 4471, {calibre} {ammo_class.value}",
            store=SAFE,
            load=load,
        )

    def shown(lot_id: str, count: int, inert: int) -> c.Command:
        methods = frozenset({DummyCheck.RATTLE, DummyCheck.CASE_HOLE})
        return c.InspectDummies(lot=lot_id, inspected=count, inert=inert, methods=methods)

    commands = [
        lot(AmmoClass.BLANK, ".45 Colt", 50, BlankLoad.HALF),
        lot(AmmoClass.DUMMY, ".45 Colt", 12, None),
        shown(DUMMIES_45, 12, 12),
        lot(AmmoClass.BLANK, "9mm", 100, BlankLoad.FULL),
        lot(AmmoClass.DUMMY, "9mm", 32, None),
        shown(DUMMIES_9, 32, 32),
    ]
    if suspect:
        commands += [lot(AmmoClass.DUMMY, ".45 Colt", 12, None), shown(SUSPECT, 12, 11)]
    return commands


def true_positions(state: ProductionState, firearm: str) -> tuple[str, ...]:
    """What each position of the firearm holds, according to the record of its rounds."""
    r = state.rounds_in(firearm)
    items = [f"{state.lots[lot].ammo_class}:{lot}" for lot, n in r.loaded for _ in range(n)]
    items += ["spent"] * r.spent
    positions = state.firearms[firearm].capacity.positions
    items = items[:positions]
    return (*items, *["empty"] * (positions - len(items)))


def lean(data: st.DataObject, likely: list[str], anything: tuple[str, ...], label: str) -> str:
    """Usually one of the ``likely`` values (if any), otherwise any of ``anything``."""
    if likely and data.draw(st.integers(0, 3), label=f"{label} is likely") > 0:
        return data.draw(st.sampled_from(likely), label=label)
    return data.draw(st.sampled_from(anything), label=label)


def twist(data: st.DataObject, valid: T, *nonsense: T, label: str) -> T:
    """Usually ``valid``; one time in eight, one of the ``nonsense`` values instead."""
    if nonsense and data.draw(st.integers(0, 7), label=f"{label}: twisted") == 0:
        return data.draw(st.sampled_from(nonsense), label=label)
    return valid


class ProtocolMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = ProductionState()
        self.now = START
        self.disturbed: dict[str, int] = {}  # firearm -> seq of the newest voiding event
        self.day_opened: tuple[int, datetime] | None = None  # the shoot day's opening check
        # firearms out of the armorer's hands (issued, or reported anywhere) not inspected
        # after use since
        self.post_use_due: set[str] = set()
        self.reached: set[str] = set()
        self.cast: dict[str, str] = {}  # the talent the crew means to issue each firearm to
        self.tidy: set[str] = set()  # firearms taken out to be counted and put away, not used
        self.breaking = False  # the crew is locking up for a break
        self.break_corner = ""  # "lock": calls it without locking up; "wrap": wraps uncounted
        self.corner: dict[str, str] = {}  # firearm -> the step the crew skips on this issue
        self.forgot_opening_check = False  # until an issue is refused for it
        # meeting -> who was present by the ledger: its lead, and who on its roll confirmed it
        self.present: dict[str, set[str]] = {}

    # -- the production ------------------------------------------------------------------------

    @initialize(
        start=st.integers(0, 15 * 60),
        suspect=st.sampled_from([False, False, False, True]),
        forgetful=st.sampled_from([False, False, False, True]),
        new_year=st.sampled_from([False] * 5 + [True]),
    )
    def open_production(self, start: int, suspect: bool, forgetful: bool, new_year: bool) -> None:
        """Start between 08:30 and 23:30 (a take may run past midnight into a new day); in some
        runs with a dummy lot holding a round that is not inert, in some with an armorer who
        forgets the day's opening check until an issue is refused for it, in some on the last
        evening of the head armorer's permit (until the producer records the renewed one)."""
        self.now = START + timedelta(minutes=start)
        if new_year:
            self.now = LAST_EVENING + timedelta(minutes=start % 300)
        self.forgot_opening_check = forgetful
        for e in production():
            self.state = evolve(self.state, e, stamp_at(self.state.seq + 1, self.now))
        for command in ammunition(suspect=suspect):
            events = decide(self.state, command, c.Context(actor=HEAD, now=self.now))
            for e in events:
                self.state = evolve(self.state, e, stamp_at(self.state.seq + 1, self.now))
        assert len(self.state.lots) == (5 if suspect else 4)
        assert len(self.state.incidents) == (1 if suspect else 0)

    # -- driving the domain --------------------------------------------------------------------

    def attempt(self, command: c.Command, actor: str) -> None:
        before = snapshot(self.state)
        result = decided(self.state, command, actor, self.now)  # other exceptions propagate
        assert self.state == before, f"deciding {command} changed the state"
        if isinstance(result, Refusal):
            note(f"{self.now:%H:%M:%S} {actor} {command!r}: refused: {result.line()}")
            assert result.rule is None or result.rule in RULES, result.line()
            assert result.message.strip()
            return
        note(f"{self.now:%H:%M:%S} {actor} {command!r}: {[e.TYPE for e in result]}")
        assert result, f"{command} accepted but produced nothing"
        self.check_decision(self.state, actor, result)
        for e in result:
            assert ev.from_payload(e.TYPE, e.SCHEMA, e.payload()) == e, e
            self.apply(e)

    def apply(self, e: ev.Event) -> None:
        old = self.state
        self.state = evolve(old, e, stamp_at(old.seq + 1, self.now))
        assert self.state.seq == old.seq + 1
        if isinstance(e, ev.DayOpened):
            self.day_opened = (self.state.seq, self.now)
        if isinstance(e, ev.MeetingHeld):
            self.present[e.meeting] = {e.lead}
        if isinstance(e, ev.MeetingAttended):
            assert e.person in old.meetings[e.meeting].attendees, "confirmed off the roll"
            self.present[e.meeting].add(e.person)
        if isinstance(e, ev.BreakCalled) and e.kind == "wrap":
            self.day_opened = None
        if isinstance(e, ev.HandoffAccepted) and self.issues(old, e.giver, e.receiver):
            self.post_use_due.add(e.firearm)
        if isinstance(e, ev.CustodyReported):
            self.post_use_due.add(e.firearm)
        if (
            isinstance(e, ev.FirearmInspected)
            and e.phase == "post_use"
            and old.location[e.firearm].person == e.armorer
        ):
            self.post_use_due.discard(e.firearm)
        if isinstance(e, VOIDING):
            self.disturbed[getattr(e, "firearm")] = self.state.seq  # noqa: B009
        if isinstance(e, ev.FirearmReturned | ev.HandoffAccepted) or (
            isinstance(e, ev.FirearmInspected) and self.corner.get(e.firearm) == "topped up"
        ):
            self.corner.pop(e.firearm, None)
        match e:
            case ev.HandoffAccepted(giver=g, receiver=r) if self.issues(old, g, r):
                self.reached.add("issue to talent")
            case ev.FirearmAnnounced(call=call):
                self.reached.add("announce")
                self.reached.add(f"announce {call}")
            case ev.FirearmDischarged(planned=planned):
                self.reached.add("planned discharge" if planned else "unplanned discharge")
            case ev.RoundsReconciled(balanced=balanced):
                self.reached.add("reconcile balanced" if balanced else "reconcile unbalanced")
            case ev.BreakCalled(kind=kind):
                self.reached.add("break (any kind)")
                self.reached.add(f"break: {kind}")
            case ev.MisfireCleared():
                self.reached.add("misfire cleared")
            case ev.IncidentClosed():
                self.reached.add("incident closed")
            case ev.FirearmReturned():
                self.reached.add("firearm put back")
            case _:
                pass

    def teardown(self) -> None:
        for milestone in sorted(self.reached):  # shown by --hypothesis-show-statistics
            event(f"reached: {milestone}")

    def shoot_day(self) -> int:
        """The seq of this shoot day's opening check, or 0: a shoot day runs from the armorer's
        opening check to wrap, at most SHOOT_DAY (a night shoot crosses midnight)."""
        if self.day_opened is None or self.now - self.day_opened[1] > SHOOT_DAY:
            return 0
        return self.day_opened[0]

    @staticmethod
    def issues(state: ProductionState, giver: str, receiver: str) -> bool:
        return (
            Role.ARMORER in state.people[giver].roles
            and Role.TALENT in state.people[receiver].roles
        )

    # -- checks at the decision point (against the state the decision was made on) -----------

    def check_decision(self, s: ProductionState, actor: str, events: list[ev.Event]) -> None:
        for e in events:
            if isinstance(e, ev.FirearmAnnounced):
                assert verification.problem(s, e.firearm, self.now) == "", "announced unverified"
                assert self.unverified(s, e.firearm) == "", self.unverified(s, e.firearm)
                found = s.inspections[e.firearm]
                assert e.inspection == found.seq
                assert e.call == ("hot" if found.result == "BLANKS" else "cold")
                assert Role.FIRST_AD in s.people[actor].roles
                self.check_verified_is_loaded(s, e.firearm)
            if isinstance(e, ev.HandoffProposed | ev.HandoffAccepted) and self.issues(
                s, e.giver, e.receiver
            ):
                f, g, r = e.firearm, e.giver, e.receiver
                assert gates.stop_work(s, f) is None, f"{e.TYPE} while work is stopped"
                problems = gates.issue_problems(
                    s, s.firearms[f], s.people[g], s.people[r], self.now
                )
                assert problems == [], f"{e.TYPE} despite {problems}"
                why = self.may_not_issue(s, f, g, r, offer=isinstance(e, ev.HandoffProposed))
                assert why == "", why
                self.check_verified_is_loaded(s, f)
            if isinstance(e, ev.HandoffProposed | ev.HandoffAccepted) and (
                s.on_hold(firearm=e.firearm) is not None
                and Role.INVESTIGATOR not in s.people[e.receiver].roles
            ):
                raise AssertionError(f"{e.TYPE}: evidence to a non-investigator (R-54)")
            if isinstance(e, ev.FirearmTaken | ev.FirearmReturned | ev.RoundsUnloaded):
                assert s.on_hold(firearm=e.firearm) is None, f"{e.TYPE} of evidence (R-54)"
            if isinstance(e, ev.FirearmReturned):
                assert e.firearm not in self.post_use_due, "stored without post-use check (R-19)"
            if isinstance(e, ev.BreakCalled):
                self.check_locked_away(s, wrap=e.kind == "wrap")
            if isinstance(e, ev.AmmunitionReceived):
                assert e.ammo_class != AmmoClass.LIVE.value, "live rounds received on set (R-01)"
            if isinstance(e, ev.RoundsLoaded):
                self.check_load(s, e)
            if isinstance(e, ev.FirearmDischarged) and e.planned:
                holder = s.location[e.firearm].person
                assert holder is not None
                assert Role.TALENT in s.people[holder].roles
                found = s.inspections[e.firearm]
                assert (found.result, found.announced) == ("BLANKS", "hot")
                assert e.count <= s.rounds_in(e.firearm).in_firearm

    def check_verified_is_loaded(self, s: ProductionState, f: str) -> None:
        """What is announced and issued is what the firearm holds (R-19, R-22, R-28)."""
        found = s.inspections[f]
        holds = assess(s.firearms[f], true_positions(s, f), True, s.lots)
        assert (found.result, found.rounds, found.load) == (
            holds.result,
            holds.rounds,
            holds.load,
        ), f"{f} verified {found.result} x{found.rounds} {found.load}, holds {holds}"

    def unverified(self, s: ProductionState, f: str) -> str:
        """Why ``f`` has no valid three-person check, reckoned independently of the domain's
        verification module: a pre-use inspection finding an announceable state, nothing that
        voids it since, not older than the setting, shown to a 1st AD and to a talent."""
        found = s.inspections.get(f)
        if found is None:
            return "never inspected"
        if found.phase != "pre_use" or found.result not in ANNOUNCEABLE:
            return f"newest inspection is {found.phase}, {found.result}"
        if self.disturbed.get(f, 0) > found.seq:
            return "moved, reported, loaded, unloaded, fired or misfired since the inspection"
        if self.now - parse_time(found.time) > timedelta(minutes=s.setting("verification_minutes")):
            return "the inspection is too old"
        shown_to: set[Role] = set()
        for p, _ in found.witnesses:
            shown_to |= s.people[p].roles
        if not {Role.FIRST_AD, Role.TALENT} <= shown_to:
            return f"shown only to {sorted(shown_to)}"
        return ""

    def may_not_issue(
        self, s: ProductionState, f: str, giver: str, receiver: str, *, offer: bool
    ) -> str:
        """Why an armorer may not hand ``f`` to a talent now, reckoned from the protocol's
        gates directly (R-45, R-51, R-47, R-52, R-08, R-03, R-27, R-31, R-30, R-44, R-19, R-24,
        R-41)."""
        firearm, talent = s.firearms[f], s.people[receiver]
        permit_of = s.people[giver].permit
        if offer and (permit_of is None or not permit_of.valid_on(self.now.date())):
            return "the armorer offering it has no valid permit"
        if any(i.open and i.firearm in ("", f) for i in s.incidents.values()):
            return "an incident is open"
        if s.stoppage is not None or any(
            x.stop and not x.answered_seq for x in s.concerns.values()
        ):
            return "work is stopped"
        if s.on_break:
            return "on a break"
        day = self.shoot_day()
        if not day:
            return "no opening check this shoot day"
        call = s.calls.get(f)
        plan = s.plans.get(call.scene) if call is not None else None
        if call is None or plan is None or not plan.approved_seq or f not in plan.entries:
            return "not called for a scene with an approved plan naming it"
        # the newest meeting of the shoot day with the talent on its roll counts, if they led
        # or confirmed it (by the ledger) and it came after the plan and the last closure
        rolls = [
            m
            for m in s.meetings.values()
            if m.scene == call.scene and m.seq > day and receiver in m.attendees
        ]
        newest = max(rolls, key=lambda m: m.seq) if rolls else None
        if (
            newest is None
            or receiver not in self.present[newest.id]
            or newest.seq < max(s.last_closure, plan.seq)
        ):
            return "no meeting this shoot day with the talent since the plan and the last closure"
        if (receiver, firearm.action) not in s.training:
            return f"{talent.name} is not trained"
        why = self.unverified(s, f)
        if why:
            return why
        found = s.inspections[f]
        if receiver not in {p for p, _ in found.witnesses}:
            return "the talent did not check it"
        wanted = {"empty": "EMPTY", "dummy": "DUMMIES", "blank": "BLANKS"}[plan.entries[f][0]]
        if found.result != wanted:
            return f"it is {found.result}, the plan says {plan.entries[f][0]}"
        if found.result == "BLANKS" and found.announced != "hot":
            return "blanks not announced hot"
        return ""

    def check_locked_away(self, s: ProductionState, *, wrap: bool) -> None:
        assert not self.post_use_due, f"break before post-use checks of {self.post_use_due}"
        for f in s.firearms:
            where = s.location[f]
            assert where.person is None, f"break with {f} held by {where.person}"
            assert where.store is not None
            assert s.stores[where.store].locked, f"break with {f} in an unlocked store"
            assert f not in s.missing, f"break with {f} missing"
            if wrap:
                assert s.rounds_in(f).reconciled, f"wrap with {f}'s rounds not reconciled"
        for lot in s.lots.values():
            if lot.count:
                assert s.stores[lot.store].locked, f"break with lot {lot.id} in an open store"

    def check_load(self, s: ProductionState, e: ev.RoundsLoaded) -> None:
        holder, lot, firearm = s.location[e.firearm].person, s.lots[e.lot], s.firearms[e.firearm]
        assert holder == e.armorer, "loaded by someone not holding it (R-26)"
        assert Role.ARMORER in s.people[e.armorer].roles
        assert s.people[e.armorer].permit is not None
        assert lot.calibre == firearm.calibre, "loaded another calibre (R-07)"
        assert lot.loadable, "loaded dummies not shown inert (R-05)"
        assert e.count <= lot.count
        assert s.on_hold(firearm=e.firearm) is None, "loaded evidence (R-54)"
        assert s.on_hold(lot=e.lot) is None, "loaded from evidence (R-54)"
        call = s.calls[e.firearm]
        ammo_class, most, load = s.plans[call.scene].entries[e.firearm]
        assert (ammo_class, load or lot.load) == (lot.ammo_class, lot.load), "off the plan"
        assert s.rounds_in(e.firearm).in_firearm + e.count <= most, "more than planned (R-09)"

    # -- invariants after every step -----------------------------------------------------------

    @invariant()
    def counts_are_never_negative_and_every_round_is_accounted_for(self) -> None:
        s = self.state
        in_firearms: Counter[str] = Counter()
        for f, r in s.rounds.items():
            assert f in s.firearms
            assert min(r.spent, r.issued, r.fired, r.returned, r.misfired) >= 0, (f, r)
            for lot_id, n in r.loaded:
                assert n > 0, (f, r)
                in_firearms[lot_id] += n
        for lot in s.lots.values():
            assert min(lot.count, lot.fired, lot.misfired, lot.inert, lot.suspect) >= 0, lot
            assert lot.received == lot.count + in_firearms[lot.id] + lot.fired + lot.misfired, (
                f"lot {lot.id}: received {lot.received} != {lot.count} in the lot + "
                f"{in_firearms[lot.id]} in firearms + {lot.fired} fired + {lot.misfired} misfired"
            )

    @invariant()
    def no_live_round_is_in_the_set_inventory(self) -> None:
        assert all(lot.ammo_class != AmmoClass.LIVE.value for lot in self.state.lots.values())

    @invariant()
    def every_firearm_is_in_exactly_one_place_with_at_most_one_hand_off(self) -> None:
        s = self.state
        assert set(s.location) == set(s.firearms) == set(FIREARMS)
        for f, where in s.location.items():
            assert (where.store is None) != (where.person is None), (f, where)
            assert where.store in s.stores if where.store is not None else where.person in s.people
        waiting = Counter(h.firearm for h in s.handoffs.values())
        assert all(n == 1 for n in waiting.values()), waiting
        for h in s.handoffs.values():
            assert s.holder(h.firearm) == h.giver, h

    # -- the rules -----------------------------------------------------------------------------

    @rule(
        seconds=st.integers(0, 9).flatmap(
            lambda bucket: (
                st.integers(1, 60)
                if bucket < 6
                else st.integers(60, 600)
                if bucket < 9
                else st.integers(600, 3600)
            )
        )
    )
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule(data=st.data(), steps=st.integers(1, 6))
    def crew_follows_the_protocol(self, data: st.DataObject, steps: int) -> None:
        """The crew works for a while: ``steps`` commands (or waits) in a row."""
        for _ in range(steps):
            step = self.next_step(data)
            if isinstance(step, Wait):
                note(f"{self.now:%H:%M:%S} the crew waits {step.seconds} s")
                self.now += timedelta(seconds=step.seconds)
                continue
            command, actor = step
            if data.draw(st.integers(0, 19), label="slip") == 0:
                actor = data.draw(st.sampled_from(ACTORS), label="by the wrong person")
            self.attempt(command, actor)

    # Swarm testing turns each rule off in some runs (about half of them for a given rule); a
    # take needs dozens of crew steps, so the crew's work is offered under three names: a run
    # then lacks a crew only when all three are off.
    @rule(data=st.data(), steps=st.integers(1, 6))
    def the_crew_carries_on(self, data: st.DataObject, steps: int) -> None:
        self.crew_follows_the_protocol(data, steps)

    @rule(data=st.data(), steps=st.integers(1, 6))
    def the_crew_gets_on_with_it(self, data: st.DataObject, steps: int) -> None:
        self.crew_follows_the_protocol(data, steps)

    @rule(data=st.data())
    def anyone_tries_anything(self, data: st.DataObject) -> None:
        if data.draw(st.integers(0, 3), label="the crew's next step, by anyone") == 0:
            step = self.next_step(data)
            if isinstance(step, tuple):
                self.attempt(step[0], data.draw(st.sampled_from(ACTORS), label="actor"))
            return
        name = data.draw(st.sampled_from(sorted(self.RANDOM)), label="command")
        command, actor = self.RANDOM[name](self, data)
        self.attempt(command, actor)

    # -- the crew's next step ------------------------------------------------------------------

    def next_step(self, data: st.DataObject) -> Step:
        s = self.state
        permit_of = s.people[HEAD].permit
        expired = permit_of is None or not permit_of.valid_on(self.now.date())
        if expired and data.draw(st.integers(0, 2), label="renews the permit") == 0:
            return c.RecordPermit(person=HEAD, permit=RENEWED), PRODUCER
        if s.on_break == "wrap":
            if data.draw(st.integers(0, 2), label="sleep on it") == 0:
                morning = datetime.combine(self.now.date() + timedelta(days=1), START.timetz())
                return Wait(int((morning - self.now).total_seconds()))
            return self.open_day()
        if not self.shoot_day() and not self.forgot_opening_check:
            return self.open_day()
        for f in FIREARMS:  # reality first: a firearm nobody may hand back is fetched
            holder = s.location[f].person
            stray = holder is not None and (
                holder == ASSISTANT
                or not s.people[holder].roles & {Role.ARMORER, Role.TALENT, Role.INVESTIGATOR}
            )
            if f in s.missing or stray:
                by = data.draw(st.sampled_from(PEOPLE), label="finder")
                return c.ReportCustody(
                    firearm=f, person=HEAD, note="Found it; back with Hannah"
                ), by
        for h in s.handoffs.values():
            giver, receiver = s.people[h.giver], s.people[h.receiver]
            if (
                Role.TALENT in giver.roles
                and s.rounds_in(h.firearm).loaded
                and data.draw(st.integers(0, 7), label="fires while handing it back") == 0
            ):
                return c.RecordDischarge(firearm=h.firearm, count=1, note="After cut"), h.giver
            if data.draw(st.integers(0, 19), label="proposes it again") == 0:
                return c.ProposeHandoff(firearm=h.firearm, receiver=h.receiver), h.giver
            issue = self.issues(s, h.giver, h.receiver)
            if issue and data.draw(st.integers(0, 11), label="coffee first") == 0:
                return Wait(data.draw(st.integers(60, 1800), label="coffee"))
            if issue and data.draw(st.integers(0, 14), label="someone calls stop") == 0:
                return data.draw(st.sampled_from(STOPS), label="stop")
            stale = issue and bool(
                gates.issue_problems(s, s.firearms[h.firearm], giver, receiver, self.now)
            )
            if s.on_hold(firearm=h.firearm) and Role.INVESTIGATOR not in receiver.roles:
                if data.draw(st.booleans(), label="takes the evidence anyway"):
                    return c.AcceptHandoff(handoff=h.id), h.receiver
                return c.CancelHandoff(handoff=h.id), h.giver  # evidence stays where it is
            if (stale and data.draw(st.booleans(), label="notices")) or data.draw(
                st.integers(0, 9), label="cancel the hand-off"
            ) == 0:
                return c.CancelHandoff(handoff=h.id), h.giver
            return c.AcceptHandoff(handoff=h.id), h.receiver
        if data.draw(st.integers(0, 7), label="carries on regardless") > 0:
            repair = self.repair(data)
            if repair is not None:
                return repair
        out = [g for g in FIREARMS if s.location[g].person is not None]
        f = lean(data, out, FIREARMS, "focus on")  # finish what was started first
        holder = s.location[f].person
        if holder is None:
            return self.from_store(data, f)
        if holder == INVESTIGATOR:
            return c.ProposeHandoff(firearm=f, receiver=HEAD), INVESTIGATOR
        if Role.TALENT in s.people[holder].roles:
            return self.in_the_take(data, f, holder)
        r = s.rounds_in(f)
        if r.misfire_at:
            waited = self.now - parse_time(r.misfire_at)
            wait = s.setting("misfire_wait_seconds")
            if waited < timedelta(seconds=wait):
                return Wait(wait - int(waited.total_seconds()) + 1)
            return c.ClearMisfire(firearm=f), HEAD
        used = f in s.issued and s.back.get(f, 0) > s.issued[f]
        if used or f in self.tidy or f in self.post_use_due:
            return self.put_away(data, f)
        return self.issue(data, f)

    def repair(self, data: st.DataObject) -> Step | None:
        """What stops the work, lifted as the protocol says (the armorer resumes, a reviewer
        answers the concern or closes the incident, evidence goes to the investigator)."""
        s = self.state
        if s.stoppage is not None:
            return c.ResumeWork(reason="Checked with the crew; safe to go on"), HEAD
        reviewer = data.draw(st.sampled_from(REVIEWERS), label="reviewer")
        for concern in s.concerns.values():
            if concern.stop and not concern.answered_seq:
                return c.AnswerConcern(concern=concern.id, answer=SENTENCES[3]), reviewer
        for incident in s.incidents.values():
            if not incident.open:
                continue
            if incident.kind in EVIDENCE_KINDS and data.draw(st.booleans(), label="evidence"):
                for f in incident.firearms:
                    holder = s.location[f].person
                    if holder is not None and holder != INVESTIGATOR:
                        return c.ProposeHandoff(firearm=f, receiver=INVESTIGATOR), holder
            return (
                c.CloseIncident(
                    incident=incident.id,
                    findings="Reviewed with the armorer and the crew",
                    corrective_action="Re-briefed everyone at a new safety meeting",
                ),
                reviewer,
            )
        return None

    def open_day(self) -> Step:
        return c.OpenDay(swept=("Main safe", "Prop cart", "Belts"), schedule="Sc 12A-14"), HEAD

    def from_store(self, data: st.DataObject, f: str) -> Step:
        s = self.state
        stowed = all(s.location[g].store is not None for g in FIREARMS)
        if s.on_break:
            if data.draw(st.integers(0, 2), label="long break") == 0:
                return Wait(data.draw(st.integers(300, 3600), label="break length"))
            return c.ResumeDay(), data.draw(st.sampled_from([HEAD, FIRST_AD]), label="resumer")
        worked = any(g in s.issued for g in FIREARMS)  # used since they were last taken out
        if stowed and not self.breaking:
            self.breaking = data.draw(st.integers(0, 1 if worked else 5), label="a break") == 0
            self.break_corner = data.draw(st.sampled_from(["", "", "", "", "", "lock", "wrap"]))
        if stowed and self.breaking:
            used = {s.location[g].store for g in FIREARMS}
            used |= {lot.store for lot in s.lots.values() if lot.count}
            for sid in sorted(x for x in used if x is not None):
                if not s.stores[sid].locked and self.break_corner != "lock":
                    return c.SetStoreLock(store=sid, locked=True), HEAD
            kind = data.draw(st.sampled_from(["break", "lunch", "wrap"]), label="break")
            kind = "wrap" if self.break_corner == "wrap" else kind
            reported = [g for g in FIREARMS if s.location[g].reported or g in self.post_use_due]
            uncounted = [g for g in FIREARMS if not s.rounds_in(g).reconciled]
            waiting = reported or (uncounted if kind == "wrap" else [])
            if waiting and data.draw(st.integers(0, 3), label="sees to it first") > 0:
                f = waiting[0]  # taken out, counted and put away first
            else:
                self.breaking, self.break_corner = False, ""
                by = data.draw(st.sampled_from([HEAD, FIRST_AD]), label="caller")
                return c.CallBreak(kind=kind), by
        if data.draw(st.integers(0, 11), label="a delivery") == 0:
            return self.delivery(data), HEAD
        where = s.stores[s.location[f].store or ""]
        if where.locked:
            return c.SetStoreLock(store=where.id, locked=False), HEAD
        if s.rounds_in(f).reconciled and f not in self.post_use_due:
            self.tidy.discard(f)
            talent = self.cast[f] = data.draw(st.sampled_from(TALENTS), label="cast")
            trained = (talent, s.firearms[f].action) in s.training
            corners = [x for x in CORNERS if not (x == "training" and trained)]
            self.corner[f] = data.draw(st.sampled_from([""] * 14 + corners), label="cut")
        else:
            self.tidy.add(f)
        return c.TakeFirearm(firearm=f), HEAD

    def delivery(self, data: st.DataObject) -> c.ReceiveAmmunition:
        """Rounds delivered to the armorer: blanks, dummies, or live rounds by mistake (R-01)."""
        ammo_class = data.draw(st.sampled_from(list(AmmoClass)), label="delivered")
        calibre = data.draw(st.sampled_from([".45 Colt", "9mm"]), label="calibre")
        return c.ReceiveAmmunition(
            ammo_class=ammo_class,
            calibre=calibre,
            count=data.draw(st.integers(10, 60), label="count"),
            supplier="Stembridge",
            provenance="Invoice 4620",
            store=SAFE,
            load=(
                data.draw(st.sampled_from(list(BlankLoad)), label="load")
                if ammo_class is AmmoClass.BLANK
                else None
            ),
        )

    def in_the_take(self, data: st.DataObject, f: str, talent: str) -> Step:
        s = self.state
        r, call, found = s.rounds_in(f), s.calls.get(f), s.inspections.get(f)
        if r.misfire_at:
            if r.loaded and data.draw(st.integers(0, 7), label="hang-fire") == 0:
                shots = data.draw(st.sampled_from([1, r.in_firearm]), label="shots")
                return c.RecordDischarge(firearm=f, count=shots, note="Hang-fire"), talent
            return c.ProposeHandoff(firearm=f, receiver=HEAD), talent
        plan = s.plans.get(call.scene) if call is not None else None
        entry = plan.entries.get(f) if plan is not None else None
        hot = found is not None and (found.result, found.announced) == ("BLANKS", "hot")
        if hot and entry is not None and entry[0] == "blank" and r.in_firearm:
            room = min(r.in_firearm, entry[1] - r.fired)
            what = data.draw(st.sampled_from(["fire"] * 4 + ["misfire", "cut"]), label="take")
            witness = data.draw(st.sampled_from([HEAD, FIRST_AD, talent]), label="recorder")
            if what == "fire" and room > 0:
                count = data.draw(st.integers(1, room), label="shots")
                if data.draw(st.integers(0, 9), label="a shot too many") == 0:
                    count = r.in_firearm + 1
                return c.RecordDischarge(firearm=f, count=count, note="Take 1"), witness
            if what == "misfire":
                return c.RecordMisfire(firearm=f), witness
        if call is not None:
            return c.CutTake(scene=call.scene), FIRST_AD
        return c.ProposeHandoff(firearm=f, receiver=HEAD), talent

    def put_away(self, data: st.DataObject, f: str) -> Step:
        s = self.state
        r = s.rounds_in(f)
        if f in self.post_use_due:
            return self.inspect(f, "post_use"), HEAD
        if r.loaded or r.spent:
            return c.UnloadFirearm(firearm=f), HEAD
        if r.issued or r.fired or r.returned or r.misfired:
            if data.draw(st.integers(0, 9), label="stowed uncounted") == 0:
                note = "The assistant put it in the safe before it was counted"
                return c.ReportCustody(firearm=f, store=SAFE, note=note), ASSISTANT
            return (
                c.Reconcile(firearm=f, fired=r.fired, returned=r.returned, misfired=r.misfired),
                HEAD,
            )
        unlocked = [sid for sid in STORES if not s.stores[sid].locked]
        if not unlocked:
            return c.SetStoreLock(store=SAFE, locked=False), HEAD
        return c.ReturnFirearm(firearm=f, store=unlocked[0]), HEAD

    def inspect(self, f: str, phase: str) -> c.InspectFirearm:
        return c.InspectFirearm(
            firearm=f, positions=true_positions(self.state, f), barrel_clear=True, phase=phase
        )

    def issue(self, data: st.DataObject, f: str) -> Step:
        """The next step towards handing ``f`` to a talent, through every gate in order."""
        s, now = self.state, self.now
        firearm = s.firearms[f]
        found = s.inspections.get(f)
        talent = self.cast.setdefault(f, TALENT)
        corner = self.corner.get(f, "")
        if (talent, firearm.action) not in s.training and corner != "training":
            return c.RecordTraining(person=talent, action=firearm.action), HEAD
        call = s.calls.get(f)
        if call is not None:
            scene = call.scene
        else:
            named = sorted(sc for sc, p in s.plans.items() if f in p.entries)
            if not named or data.draw(st.integers(0, 7), label="a new plan") == 0:
                return self.new_plan(data, f), HEAD
            scene = data.draw(st.sampled_from(named), label="scene")
        plan = s.plans.get(scene)
        if plan is None or f not in plan.entries:
            return self.new_plan(data, f, scene), HEAD
        if not plan.approved_seq:
            return c.ApprovePlan(scene=scene), data.draw(st.sampled_from(REVIEWERS))
        since = max(s.last_closure, plan.seq)
        rolls = [
            m
            for m in s.meetings.values()
            if m.scene == scene and m.seq > self.shoot_day() and talent in m.attendees
        ]
        newest = max(rolls, key=lambda m: m.seq) if rolls else None
        current = newest is not None and newest.seq >= since
        briefed = current and newest is not None and talent in newest.confirmed
        if not briefed and corner not in ("meeting", "plan changed"):
            if not current or newest is None:
                lead = data.draw(st.sampled_from([HEAD, FIRST_AD]), label="lead")
                return c.HoldMeeting(scene=scene, attendees=frozenset({talent, HEAD})), lead
            if corner != "unconfirmed":
                return c.AttendMeeting(meeting=newest.id), talent
            # the crew forgets the talent's confirmation: on to the hand-off, which is refused
        if call is None:
            return c.CallFirearm(firearm=f, scene=scene), FIRST_AD
        ammo_class, most, load = plan.entries[f]
        r = s.rounds_in(f)
        held = {(s.lots[lot].ammo_class, s.lots[lot].load) for lot, _ in r.loaded}
        if r.spent or held - {(ammo_class, load)}:
            return c.UnloadFirearm(firearm=f), HEAD
        if found is not None and found.result == "OUT_OF_SERVICE":  # cleared by a new one
            return self.inspect(f, "pre_use"), HEAD
        careless = corner == "topped up"
        room = most - r.in_firearm if ammo_class != "empty" else 0
        short = 1 if corner == "top up" and most > 1 else 0  # one round is put in later
        more = r.in_firearm == 0 or data.draw(st.integers(0, 5), label="more rounds") == 0
        if room > short and not careless and more and corner != "no load":
            return self.load(data, f, ammo_class, room - short, load, close=self.close(plan))
        expected = assess(firearm, true_positions(s, f), True, s.lots)
        if (
            found is None
            or verification.problem(s, f, now, witnessed=False)
            or (
                (found.result, found.rounds, found.load)
                != (expected.result, expected.rounds, expected.load)
                and not careless
            )
        ):
            return self.inspect(f, "pre_use"), HEAD
        witnesses = {p for p, _ in found.witnesses}
        if FIRST_AD not in witnesses and corner != "show the 1st AD":
            return c.WitnessCheck(firearm=f), FIRST_AD
        if talent not in witnesses and corner not in ("show the talent", "show another talent"):
            return c.WitnessCheck(firearm=f), talent
        other = next(t for t in TALENTS if t != talent)
        if corner == "show another talent" and other not in witnesses:
            return c.WitnessCheck(firearm=f), other
        if room > 0 and corner == "top up":
            self.corner[f] = "topped up"  # after the check, and not shown again
            return self.load(data, f, ammo_class, room, load, close=self.close(plan))
        hot = found.result == "BLANKS"
        if not found.announced and corner != "announce" and (hot or data.draw(st.booleans())):
            if corner in ("show the 1st AD", "show the talent"):
                self.corner.pop(f)  # announced unshown once: the refusal sets the crew right
            return c.Announce(firearm=f), FIRST_AD
        if corner == "replan":  # the plan is filed again after the meeting, and not briefed
            self.corner[f] = "plan changed"
            return self.same_plan(plan), HEAD
        self.corner.pop(f, None)  # a corner is cut once: the refusal sets the crew right
        self.forgot_opening_check = False
        return c.ProposeHandoff(firearm=f, receiver=talent), HEAD

    def new_plan(self, data: st.DataObject, f: str, scene: str | None = None) -> c.FilePlan:
        s = self.state
        if scene is None:
            scene = data.draw(st.sampled_from(SCENES), label="scene")
        others = [g for g in FIREARMS if g != f and data.draw(st.booleans(), label=f"with {g}")]
        entries = []
        for g in (f, *others):
            firearm = s.firearms[g]
            ammo_class = data.draw(
                st.sampled_from(["blank", "blank", "dummy", "empty"]), label="class"
            )
            if ammo_class == "empty":
                entries.append(c.PlanEntry(firearm=g, ammo_class="empty"))
                continue
            positions = firearm.capacity.positions
            rounds = data.draw(
                st.sampled_from([positions, positions]) | st.integers(1, positions),
                label="rounds",
            )
            load = ""
            if ammo_class == "blank":
                usual = "half" if firearm.calibre == ".45 Colt" else "full"
                load = data.draw(st.sampled_from([usual, usual, usual, "quarter"]), label="load")
            entries.append(c.PlanEntry(firearm=g, ammo_class=ammo_class, rounds=rounds, load=load))
        close = data.draw(st.integers(0, 4), label="close range") == 0
        return c.FilePlan(
            scene=scene,
            mode=data.draw(st.sampled_from(["take", "rehearsal"]), label="mode"),
            firearms=tuple(entries),
            distance_ft=12 if close else s.setting("blank_distance_ft") + 5,
            close_range=close,
            shields=("Lexan shield for camera",),
            protection=("ear plugs", "eye protection"),
            pointing="none",
            justification="Muzzle flash in a close-up; effects flash rejected by the director.",
            risks="Blast within 25 ft of camera crew",
        )

    def same_plan(self, plan: Plan) -> c.FilePlan:
        """The plan filed again as it is (a new version, to be approved and briefed again)."""
        return c.FilePlan(
            scene=plan.scene,
            mode=plan.mode,
            firearms=tuple(
                c.PlanEntry(firearm=f, ammo_class=ammo_class, rounds=rounds, load=load)
                for f, (ammo_class, rounds, load) in plan.entries.items()
            ),
            distance_ft=plan.distance_ft,
            close_range=plan.close_range,
            shields=plan.shields,
            protection=plan.protection,
            pointing=plan.pointing,
            justification=plan.justification,
            risks=plan.risks,
        )

    def close(self, plan: Plan) -> bool:
        """Whether the plan keeps people nearer than the blank stand-off (R-38)."""
        return plan.distance_ft < self.state.setting("blank_distance_ft")

    def load(
        self, data: st.DataObject, f: str, ammo_class: str, room: int, load: str, *, close: bool
    ) -> Step:
        s = self.state
        calibre = s.firearms[f].calibre
        matching = [
            lot
            for lot in s.lots.values()
            if (lot.ammo_class, lot.calibre) == (ammo_class, calibre)
            and (not load or lot.load == load)
            and (lot.close_range or not close or ammo_class != "blank")
            and s.on_hold(lot=lot.id) is None
        ]
        usable = [lot for lot in matching if lot.loadable and lot.count]
        if data.draw(st.integers(0, 9), label="grabs the wrong box") == 0:
            usable = [x for x in s.lots.values() if x.count]
        if usable:
            lot = data.draw(st.sampled_from(usable), label="lot")
            most = min(room, lot.count)
            count = data.draw(st.sampled_from([most, most]) | st.integers(1, most), label="load")
            if data.draw(st.integers(0, 9), label="miscounts") == 0:
                count = room + 1  # one more than the plan allows
            return c.LoadRounds(firearm=f, lot=lot.id, count=count), HEAD
        unshown = [x for x in matching if not x.suspect and x.count > x.inert]
        if unshown:
            lot = unshown[0]
            left = lot.count - lot.inert
            methods = frozenset({DummyCheck.RATTLE})
            return c.InspectDummies(lot=lot.id, inspected=left, inert=left, methods=methods), HEAD
        return (
            c.ReceiveAmmunition(
                ammo_class=AmmoClass(ammo_class),
                calibre=calibre,
                count=50,
                supplier="Stembridge",
                provenance="Invoice 4502",
                store=SAFE,
                load=BlankLoad(load) if load else None,
                close_range=close and ammo_class == "blank",
            ),
            HEAD,
        )

    # -- anything, by anyone -------------------------------------------------------------------
    # Every command of the protocol, with values that lean towards what exists (firearms,
    # lots, scenes, hand-offs, incidents, concerns) and towards the person who may do it, and
    # now and then towards nonsense: unknown ids, wrong classes, live rounds, bad counts.

    def _actor(self, data: st.DataObject, *likely: str | None) -> str:
        return lean(data, [p for p in likely if p is not None], ACTORS, "actor")

    def _firearm(self, data: st.DataObject) -> str:
        return lean(data, list(FIREARMS), FIREARM_REFS, "firearm")

    def _holder(self, f: str) -> str | None:
        return self.state.location[f].person if f in self.state.location else None

    def _scene(self, data: st.DataObject) -> str:
        return lean(data, sorted(self.state.plans), SCENE_REFS, "scene")

    def _lot(self, data: st.DataObject, f: str = "") -> str:
        firearm = self.state.firearms.get(f)
        fits = [
            lot.id
            for lot in self.state.lots.values()
            if firearm is None or lot.calibre == firearm.calibre
        ]
        return lean(data, fits, LOT_REFS, "lot")

    def _text(self, data: st.DataObject) -> str:
        sentence: str = data.draw(st.sampled_from(SENTENCES[2:]), label="text")
        return twist(data, sentence, "", "ok", label="text")

    def _open_day(self, data: st.DataObject) -> Attempt:
        swept = twist(data, ("Main safe", "Prop cart"), ("  ",), (), label="swept")
        return c.OpenDay(swept=swept, schedule="Sc 12A"), self._actor(data, HEAD, ASSISTANT)

    def _record_training(self, data: st.DataObject) -> Attempt:
        trainee = lean(data, list(TALENTS), ACTORS, "trainee")
        action = data.draw(
            st.sampled_from(["revolver", "semi_automatic_pistol", "lever_action_rifle", "bazooka"]),
            label="action",
        )
        return c.RecordTraining(person=trainee, action=action), self._actor(data, HEAD)

    def _file_plan(self, data: st.DataObject) -> Attempt:
        """A plan as the crew files it, with one thing wrong now and then."""
        f = data.draw(st.sampled_from(FIREARMS), label="firearm")
        plan = self.new_plan(data, f)
        entry = plan.firearms[0]
        wrong = {
            "too near": dataclasses.replace(plan, distance_ft=5, close_range=False),
            "too near, close-range": dataclasses.replace(plan, distance_ft=5, close_range=True),
            "no shields": dataclasses.replace(plan, shields=(" ",)),
            "no protection": dataclasses.replace(plan, protection=()),
            "no justification": dataclasses.replace(plan, justification=" "),
            "pointing at a person": dataclasses.replace(plan, pointing="person"),
            "pointing at the sky": dataclasses.replace(plan, pointing="sky"),
            "a dress rehearsal": dataclasses.replace(plan, mode="dress"),
            "no scene": dataclasses.replace(plan, scene="  "),
            "no firearm": dataclasses.replace(plan, firearms=()),
            "a firearm twice": dataclasses.replace(plan, firearms=(entry, entry)),
            "an unknown firearm": dataclasses.replace(
                plan, firearms=(dataclasses.replace(entry, firearm="F03"),)
            ),
            "live rounds": dataclasses.replace(
                plan, firearms=(c.PlanEntry(firearm=f, ammo_class="live", rounds=6),)
            ),
            "more rounds than positions": dataclasses.replace(
                plan, firearms=(c.PlanEntry(firearm=f, ammo_class="dummy", rounds=17),)
            ),
            "empty with rounds": dataclasses.replace(
                plan, firearms=(c.PlanEntry(firearm=f, ammo_class="empty", rounds=3),)
            ),
            "blanks without a load": dataclasses.replace(
                plan, firearms=(c.PlanEntry(firearm=f, ammo_class="blank", rounds=3),)
            ),
            "blanks of no known load": dataclasses.replace(
                plan,
                firearms=(c.PlanEntry(firearm=f, ammo_class="blank", rounds=3, load="heavy"),),
            ),
            "dummies with a load": dataclasses.replace(
                plan,
                firearms=(c.PlanEntry(firearm=f, ammo_class="dummy", rounds=3, load="half"),),
            ),
        }
        plan = twist(data, plan, *wrong.values(), label="plan")
        return plan, self._actor(data, HEAD)

    def _approve_plan(self, data: st.DataObject) -> Attempt:
        return c.ApprovePlan(scene=self._scene(data)), self._actor(data, *REVIEWERS)

    def _hold_meeting(self, data: st.DataObject) -> Attempt:
        attendees = data.draw(st.frozensets(st.sampled_from(ACTORS), max_size=4), label="who")
        command = c.HoldMeeting(scene=self._scene(data), attendees=attendees)
        return command, self._actor(data, FIRST_AD, HEAD)

    def _attend_meeting(self, data: st.DataObject) -> Attempt:
        meeting = lean(data, sorted(self.state.meetings), ("M01", "M9", "m01 ", ""), "meeting")
        found = self.state.meetings.get(meeting)
        roll = sorted(found.attendees) if found is not None else []
        return c.AttendMeeting(meeting=meeting), self._actor(data, *roll)

    def _call_firearm(self, data: st.DataObject) -> Attempt:
        command = c.CallFirearm(firearm=self._firearm(data), scene=self._scene(data))
        return command, self._actor(data, FIRST_AD)

    def _cut(self, data: st.DataObject) -> Attempt:
        called = sorted({x.scene for x in self.state.calls.values()})
        scene = lean(data, called, SCENE_REFS, "scene")
        return c.CutTake(scene=scene), self._actor(data, FIRST_AD)

    def _call_break(self, data: st.DataObject) -> Attempt:
        kind = data.draw(st.sampled_from(["break", "lunch", "wrap", "nap"]), label="kind")
        return c.CallBreak(kind=kind), self._actor(data, FIRST_AD, HEAD)

    def _resume_day(self, data: st.DataObject) -> Attempt:
        return c.ResumeDay(), self._actor(data, FIRST_AD, HEAD)

    def _take(self, data: st.DataObject) -> Attempt:
        return c.TakeFirearm(firearm=self._firearm(data)), self._actor(data, HEAD)

    def _return(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        where = data.draw(st.sampled_from([*STORES, *STORE_REFS]), label="store")
        return c.ReturnFirearm(firearm=f, store=where), self._actor(data, self._holder(f))

    def _set_lock(self, data: st.DataObject) -> Attempt:
        where = data.draw(st.sampled_from([*STORES, *STORE_REFS]), label="store")
        locked = data.draw(st.booleans(), label="locked")
        return c.SetStoreLock(store=where, locked=locked), self._actor(data, HEAD, ASSISTANT)

    def _load(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        count = twist(data, data.draw(st.integers(1, 6)), 0, 17, 201, label="count")
        command = c.LoadRounds(firearm=f, lot=self._lot(data, f), count=count)
        return command, self._actor(data, self._holder(f), HEAD)

    def _unload(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        return c.UnloadFirearm(firearm=f), self._actor(data, self._holder(f), HEAD)

    def _inspect(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        truth = list(true_positions(self.state, f)) if f in self.state.firearms else ["empty"] * 6
        items = st.sampled_from(
            ["empty", "spent", "unknown", "live", "bogus"]
            + [f"{k}:{lot}" for k in ("dummy", "blank") for lot in LOT_REFS]
        )
        how = data.draw(st.integers(0, 6), label="positions")
        if how <= 2:  # what is on record, in any order
            truth = data.draw(st.permutations(truth), label="order")
        elif how == 3:  # one position is not what the record says
            i = data.draw(st.integers(0, len(truth) - 1), label="position")
            truth[i] = data.draw(items, label="item")
        elif how == 4:  # a position missed, or one too many
            truth = truth[1:] if data.draw(st.booleans(), label="short") else [*truth, "empty"]
        elif how == 5:
            truth = data.draw(st.lists(items, min_size=len(truth), max_size=len(truth)))
        command = c.InspectFirearm(
            firearm=f,
            positions=tuple(truth),
            barrel_clear=data.draw(st.sampled_from([True] * 7 + [False]), label="barrel clear"),
            phase=data.draw(st.sampled_from(["pre_use"] * 3 + ["post_use", "mid"]), label="phase"),
        )
        return command, self._actor(data, self._holder(f), HEAD)

    def _witness(self, data: st.DataObject) -> Attempt:
        return c.WitnessCheck(firearm=self._firearm(data)), self._actor(data, FIRST_AD, *TALENTS)

    def _announce(self, data: st.DataObject) -> Attempt:
        return c.Announce(firearm=self._firearm(data)), self._actor(data, FIRST_AD)

    def _propose(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        receiver = lean(data, [*TALENTS, HEAD, INVESTIGATOR], ACTORS, "receiver")
        command = c.ProposeHandoff(firearm=f, receiver=receiver)
        return command, self._actor(data, self._holder(f))

    def _handoff(self, data: st.DataObject) -> str:
        return lean(data, sorted(self.state.handoffs), ("H0001", "H0999"), "handoff")

    def _accept(self, data: st.DataObject) -> Attempt:
        handoff = self._handoff(data)
        pending = self.state.handoffs.get(handoff)
        actor = self._actor(data, pending.receiver if pending else None)
        return c.AcceptHandoff(handoff=handoff), actor

    def _cancel(self, data: st.DataObject) -> Attempt:
        handoff = self._handoff(data)
        pending = self.state.handoffs.get(handoff)
        actor = self._actor(data, *((pending.giver, pending.receiver) if pending else ()))
        return c.CancelHandoff(handoff=handoff), actor

    def _discharge(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        loaded = self.state.rounds_in(f).in_firearm
        count = data.draw(  # what it holds, or more shots than rounds on record, or nonsense
            st.integers(1, max(1, loaded)) | st.sampled_from([loaded + 1, 7, 0, 201]),
            label="shots",
        )
        command = c.RecordDischarge(firearm=f, count=count, note=self._text(data))
        return command, self._actor(data, self._holder(f), FIRST_AD)

    def _misfire(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        return c.RecordMisfire(firearm=f), self._actor(data, self._holder(f), FIRST_AD)

    def _clear_misfire(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        return c.ClearMisfire(firearm=f), self._actor(data, self._holder(f), HEAD)

    def _reconcile(self, data: st.DataObject) -> Attempt:
        f = self._firearm(data)
        r = self.state.rounds_in(f)
        off = st.sampled_from([0, 0, 0, 0, 0, 1, -1])
        command = c.Reconcile(
            firearm=f,
            fired=r.fired + data.draw(off, label="fired off by"),
            returned=r.returned + data.draw(off, label="returned off by"),
            misfired=r.misfired + data.draw(off, label="misfired off by"),
        )
        return command, self._actor(data, HEAD)

    def _open_incident(self, data: st.DataObject) -> Attempt:
        kinds = [k.value for k in IncidentKind]
        command = c.OpenIncident(
            kind=data.draw(st.sampled_from([*kinds, "alien"]), label="kind"),
            description=self._text(data),
            firearms=tuple(data.draw(st.lists(st.sampled_from(FIREARM_REFS), max_size=2))),
            lots=tuple(data.draw(st.lists(st.sampled_from(LOT_REFS), max_size=2))),
        )
        return command, self._actor(data)

    def _close_incident(self, data: st.DataObject) -> Attempt:
        open_ = sorted(i.id for i in self.state.incidents.values() if i.open)
        incident = lean(data, open_, ("I01", "I02", "I99"), "incident")
        command = c.CloseIncident(
            incident=incident, findings=self._text(data), corrective_action=self._text(data)
        )
        return command, self._actor(data, *REVIEWERS)

    def _raise_concern(self, data: st.DataObject) -> Attempt:
        stop = data.draw(st.booleans(), label="stop")
        return c.RaiseConcern(text=self._text(data), stop=stop), self._actor(data)

    def _answer_concern(self, data: st.DataObject) -> Attempt:
        waiting = sorted(x.id for x in self.state.concerns.values() if not x.answered_seq)
        concern = lean(data, waiting, ("C01", "C99"), "concern")
        command = c.AnswerConcern(concern=concern, answer=self._text(data))
        return command, self._actor(data, *REVIEWERS)

    def _stop_work(self, data: st.DataObject) -> Attempt:
        return c.StopWork(reason=self._text(data)), self._actor(data, HEAD, ASSISTANT)

    def _resume_work(self, data: st.DataObject) -> Attempt:
        return c.ResumeWork(reason=self._text(data)), self._actor(data, HEAD, ASSISTANT)

    def _report_custody(self, data: st.DataObject) -> Attempt:
        where = data.draw(st.integers(0, 4), label="where")
        somebody = data.draw(st.sampled_from(ACTORS), label="person")
        somewhere = data.draw(st.sampled_from(STORE_REFS), label="store")
        command = c.ReportCustody(
            firearm=self._firearm(data),
            person=somebody if where in (0, 1, 3) else "",
            store=somewhere if where in (2, 3) else "",
            note=self._text(data),
        )
        return command, self._actor(data)

    def _report_missing(self, data: st.DataObject) -> Attempt:
        return c.ReportMissing(firearm=self._firearm(data)), self._actor(data)

    def _receive(self, data: st.DataObject) -> Attempt:
        ammo_class = data.draw(st.sampled_from(list(AmmoClass)), label="class")  # live too
        blank = ammo_class is AmmoClass.BLANK
        calibre = data.draw(st.sampled_from([".45 Colt", "9mm"]), label="calibre")
        load = data.draw(st.sampled_from(list(BlankLoad)), label="load") if blank else None
        command = c.ReceiveAmmunition(
            ammo_class=ammo_class,
            calibre=twist(data, calibre, "12ga", label="calibre"),
            count=twist(data, data.draw(st.integers(1, 60)), 0, 100_001, label="count"),
            supplier=twist(data, "Stembridge", " ", label="supplier"),
            provenance=twist(data, "Invoice 4510", "", label="provenance"),
            store=twist(data, data.draw(st.sampled_from(STORES)), "S03", label="store"),
            load=twist(data, load, BlankLoad.FULL if load is None else None, label="load"),
            close_range=twist(data, blank and data.draw(st.booleans()), True, label="close"),
        )
        return command, self._actor(data, HEAD)

    def _inspect_dummies(self, data: st.DataObject) -> Attempt:
        dummies = [x.id for x in self.state.lots.values() if x.ammo_class == "dummy"]
        lot_id = lean(data, dummies, LOT_REFS, "lot")
        lot = self.state.lots.get(lot_id)
        left = lot.count - lot.inert if lot is not None else 1
        inspected = twist(data, left, 0, left + 1, label="inspected")
        methods = frozenset({DummyCheck.RATTLE, DummyCheck.INERT_PRIMER})
        command = c.InspectDummies(
            lot=lot_id,
            inspected=inspected,
            inert=twist(data, inspected, inspected - 1, inspected + 1, label="inert"),
            methods=twist(data, methods, frozenset(), label="methods"),
        )
        return command, self._actor(data, HEAD)

    def _change_setting(self, data: st.DataObject) -> Attempt:
        setting, value = data.draw(
            st.sampled_from(
                [
                    ("verification_minutes", 20),
                    ("verification_minutes", 45),
                    ("misfire_wait_seconds", 30),
                    ("blank_distance_ft", 30),
                    ("firearms_per_armorer", 1),
                    ("coffee", 1),
                ]
            ),
            label="setting",
        )
        if data.draw(st.booleans(), label="waiver"):
            command: c.Command = c.GrantWaiver(
                setting=setting, value=value, reason="Rehearsed twice; the stunt team agrees"
            )
            return command, self._actor(data, SAFETY)
        return c.ChangeSetting(setting=setting, value=value), self._actor(data, *REVIEWERS)

    def _range(self, data: st.DataObject) -> Attempt:
        if data.draw(st.booleans(), label="approve a session"):
            command: c.Command = c.ApproveRangeSession(
                location="Desert range", medical="Paramedic on site", day="2026-03-04"
            )
            return command, self._actor(data, SAFETY)
        command = c.ReceiveRangeAmmunition(
            session=data.draw(st.sampled_from(["R01", "R02"]), label="session"),
            calibre="9mm",
            count=50,
            supplier="Federal",
            provenance="Range order 7",
        )
        return command, self._actor(data, HEAD)

    RANDOM: ClassVar[dict[str, Callable[[ProtocolMachine, st.DataObject], Attempt]]] = {
        "open day": _open_day,
        "record training": _record_training,
        "file plan": _file_plan,
        "approve plan": _approve_plan,
        "hold meeting": _hold_meeting,
        "attend meeting": _attend_meeting,
        "call firearm": _call_firearm,
        "cut": _cut,
        "call break": _call_break,
        "resume day": _resume_day,
        "take": _take,
        "return": _return,
        "set lock": _set_lock,
        "load": _load,
        "unload": _unload,
        "inspect": _inspect,
        "witness": _witness,
        "announce": _announce,
        "propose hand-off": _propose,
        "accept hand-off": _accept,
        "cancel hand-off": _cancel,
        "discharge": _discharge,
        "misfire": _misfire,
        "clear misfire": _clear_misfire,
        "reconcile": _reconcile,
        "open incident": _open_incident,
        "close incident": _close_incident,
        "raise concern": _raise_concern,
        "answer concern": _answer_concern,
        "stop work": _stop_work,
        "resume work": _resume_work,
        "report custody": _report_custody,
        "report missing": _report_missing,
        "receive ammunition": _receive,
        "inspect dummies": _inspect_dummies,
        "setting or waiver": _change_setting,
        "range": _range,
    }


ProtocolMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None
)
test_the_protocol_holds_whatever_anyone_tries = ProtocolMachine.TestCase
