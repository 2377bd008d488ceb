"""Properties of the chain of custody, over random sequences of commands by random people.

A state machine drives take, return, lock/unlock, propose, accept and cancel against the pure
domain (``decide`` then ``evolve`` for what it accepts), and keeps its own reference model of
who holds what, updated only from the events that move a firearm. After every step the
domain's state must agree with the model and keep the custody invariants. A second property
checks that refused commands never change anything.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from tests.unit.domain_helpers import (
    AFTER_EXPIRY,
    ARMORERS,
    EVERYONE,
    FIREARMS,
    HEAD,
    NOW,
    STORES,
    TALENTS,
    decided,
    replay,
    snapshot,
    stamp,
    standard_production,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Refusal
from coldcheck.domain.rules import RULES
from coldcheck.domain.state import ProductionState, evolve
from coldcheck.domain.values import Capacity, Permit, Role

STRANGER = "P99"
ACTORS = (*EVERYONE, STRANGER)
FIREARM_REFS = (*FIREARMS, "F99")
STORE_REFS = (*STORES, "S99")

FIREARM = st.sampled_from([*FIREARMS, *FIREARMS, *FIREARMS, "F99"])
STORE = st.sampled_from([*STORES, *STORES, *STORES, "S99"])
LATE = st.sampled_from([False] * 5 + [True])  # after the head armorer's permit expired

Where = tuple[str, str]  # ("store", "S01") or ("person", "P02")


def _lean(data: st.DataObject, likely: list[str], anything: tuple[str, ...], label: str) -> str:
    """Usually one of the ``likely`` values (if any), otherwise any of ``anything``."""
    if likely and data.draw(st.integers(0, 3), label=f"{label} is likely") > 0:
        return data.draw(st.sampled_from(likely), label=label)
    return data.draw(st.sampled_from(anything), label=label)


def where(state: ProductionState, firearm: str) -> Where:
    loc = state.location[firearm]
    return ("store", loc.store) if loc.store is not None else ("person", loc.person or "")


def is_armorer(state: ProductionState, person: str) -> bool:
    return Role.ARMORER in state.people[person].roles


def has_valid_permit(state: ProductionState, person: str, now: datetime) -> bool:
    permit = state.people[person].permit
    return permit is not None and now.date() <= permit.expires


def role_of(state: ProductionState, person: str) -> Role | None:
    """Armorer or talent (the two who may hold a firearm), else None."""
    roles = state.people[person].roles
    return next((r for r in (Role.ARMORER, Role.TALENT) if r in roles), None)


class CustodyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = replay(standard_production())
        # the reference model: where each firearm is, and the hand-offs waiting
        self.model: dict[str, Where] = {f: where(self.state, f) for f in FIREARMS}
        self.pending: dict[str, tuple[str, str, str]] = {}  # id -> (firearm, giver, receiver)

    # -- driving the domain ---------------------------------------------------------------------

    def attempt(self, command: c.Command, actor: str, now: datetime = NOW) -> None:
        before = snapshot(self.state)
        result = decided(self.state, command, actor, now)
        assert self.state == before, f"deciding {command} changed the state"
        if isinstance(result, Refusal):
            assert result.rule is None or result.rule in RULES
            return
        assert result, f"{command} accepted but produced nothing"
        for event in result:
            self.apply(event, actor, now)

    def apply(self, event: ev.Event, actor: str, now: datetime) -> None:
        old = self.state
        new = evolve(old, event, stamp(old.seq + 1))
        moved = {f for f in FIREARMS if where(old, f) != where(new, f)}
        match event:
            case ev.FirearmTaken(firearm=f, store=s, by=by):
                assert by == actor
                assert is_armorer(old, by), "a non-armorer took a firearm out"
                assert has_valid_permit(old, by, now), "taken without a valid permit (R-45)"
                assert self.model[f] == ("store", s)
                assert not old.stores[s].locked, "taken out of a locked store (R-12)"
                assert moved == {f}
                self.model[f] = ("person", by)
            case ev.FirearmReturned(firearm=f, store=s, by=by):
                assert by == actor
                assert is_armorer(old, by), "a non-armorer put a firearm away"
                assert self.model[f] == ("person", by), "put away by someone not holding it"
                assert not old.stores[s].locked, "put into a locked store (R-12)"
                assert moved == {f}
                self.model[f] = ("store", s)
            case ev.HandoffProposed(handoff=h, firearm=f, giver=g, receiver=r):
                assert g == actor
                assert self.model[f] == ("person", g), "proposed by someone not holding it"
                assert f not in {p[0] for p in self.pending.values()}, "a second hand-off"
                assert h not in self.pending
                assert moved == set(), "a proposal alone moved a firearm"
                assert {role_of(old, g), role_of(old, r)} == {Role.ARMORER, Role.TALENT}, (
                    "a hand-off that is not armorer to talent or talent to armorer"
                )
                if role_of(old, g) == Role.ARMORER:
                    assert has_valid_permit(old, g, now), "issued without a valid permit (R-45)"
                assert event.attesters() == (g,)
                self.pending[h] = (f, g, r)
            case ev.HandoffAccepted(handoff=h, firearm=f, giver=g, receiver=r):
                assert self.pending.pop(h) == (f, g, r), "accepted a hand-off never proposed"
                assert actor == r, "accepted by someone other than the named receiver"
                assert self.model[f] == ("person", g)
                assert moved == {f}
                assert event.attesters() == (r,)
                self.model[f] = ("person", r)
            case ev.HandoffCancelled(handoff=h, firearm=f, by=by):
                firearm, giver, receiver = self.pending.pop(h)
                assert firearm == f
                assert by == actor
                assert by in (giver, receiver), "cancelled by someone not part of it"
                assert moved == set(), "a cancelled hand-off moved a firearm"
            case ev.StoreLocked() | ev.StoreUnlocked():
                assert moved == set()
            case _:
                raise AssertionError(f"unexpected event from a custody command: {event}")
        self.state = new

    # -- the commands, by anyone ---------------------------------------------------------------
    # Choices lean towards the people and firearms that can succeed, so that firearms really
    # move; everyone (and a stranger, an unknown firearm, an unknown store) still gets drawn.

    def _actor(self, data: st.DataObject, *likely: str | None) -> str:
        return _lean(data, [p for p in likely if p is not None], ACTORS, "actor")

    def _firearm(self, data: st.DataObject) -> str:
        held = [f for f in FIREARMS if self.state.location[f].person is not None]
        return _lean(data, held, FIREARM_REFS, "firearm")

    @rule(firearm=FIREARM, data=st.data(), late=LATE)
    def take(self, firearm: str, data: st.DataObject, late: bool) -> None:
        actor = self._actor(data, HEAD)
        self.attempt(c.TakeFirearm(firearm=firearm), actor, AFTER_EXPIRY if late else NOW)

    @rule(store=STORE, data=st.data())
    def put_back(self, store: str, data: st.DataObject) -> None:
        firearm = self._firearm(data)
        actor = self._actor(data, self._holder(firearm))
        self.attempt(c.ReturnFirearm(firearm=firearm, store=store), actor)

    @rule(store=STORE, locked=st.booleans(), actor=st.sampled_from(ACTORS))
    def set_lock(self, store: str, locked: bool, actor: str) -> None:
        self.attempt(c.SetStoreLock(store=store, locked=locked), actor)

    @rule(data=st.data(), late=LATE)
    def propose(self, data: st.DataObject, late: bool) -> None:
        firearm = self._firearm(data)
        holder = self._holder(firearm)
        actor = self._actor(data, holder)
        receiver = _lean(data, [*TALENTS, *ARMORERS], ACTORS, "receiver")
        self.attempt(
            c.ProposeHandoff(firearm=firearm, receiver=receiver),
            actor,
            AFTER_EXPIRY if late else NOW,
        )

    def _holder(self, firearm: str) -> str | None:
        return self.state.location[firearm].person if firearm in FIREARMS else None

    def _handoff(self, data: st.DataObject) -> str:
        return _lean(data, sorted(self.state.handoffs), ("H0001", "H0999"), "handoff")

    @precondition(lambda self: bool(self.state.handoffs))
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        handoff = self._handoff(data)
        pending = self.state.handoffs.get(handoff)
        actor = self._actor(data, pending.receiver if pending else None)
        self.attempt(c.AcceptHandoff(handoff=handoff), actor)

    @precondition(lambda self: bool(self.state.handoffs))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        handoff = self._handoff(data)
        pending = self.state.handoffs.get(handoff)
        actor = self._actor(data, *((pending.giver, pending.receiver) if pending else ()))
        self.attempt(c.CancelHandoff(handoff=handoff), actor)

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def every_firearm_is_in_exactly_one_existing_place(self) -> None:
        s = self.state
        assert set(s.location) == set(s.firearms) == set(FIREARMS)
        for firearm, loc in s.location.items():
            assert (loc.store is None) != (loc.person is None), firearm
            assert loc.store in s.stores if loc.store is not None else loc.person in s.people

    @invariant()
    def a_firearm_is_only_ever_with_an_armorer_or_a_talent(self) -> None:
        for firearm in FIREARMS:
            person = self.state.location[firearm].person
            if person is not None:
                assert self.state.people[person].roles & {Role.ARMORER, Role.TALENT}, firearm

    @invariant()
    def the_domain_agrees_with_the_reference_model(self) -> None:
        assert {f: where(self.state, f) for f in FIREARMS} == self.model
        assert {
            h.id: (h.firearm, h.giver, h.receiver) for h in self.state.handoffs.values()
        } == self.pending

    @invariant()
    def at_most_one_hand_off_waits_per_firearm_and_its_giver_holds_it(self) -> None:
        counts = Counter(h.firearm for h in self.state.handoffs.values())
        assert all(n == 1 for n in counts.values()), counts
        for h in self.state.handoffs.values():
            assert self.state.holder(h.firearm) == h.giver


CustodyMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
)
test_custody_follows_the_protocol_whatever_anyone_tries = CustodyMachine.TestCase


# -- refused commands change nothing -----------------------------------------------------------

PERMIT = Permit(number="CA-9", authority="DOJ", expires=date(2026, 6, 1))
IDS = st.sampled_from
ROLES = st.frozensets(st.sampled_from(list(Role)), max_size=2)
TEXT = st.sampled_from(["", "  ", "Jack Colt", "Rosa Diaz", "Main safe", "typo", "UB-1873-001"])


def founder() -> st.SearchStrategy[c.RegisterPerson]:
    return st.builds(
        c.RegisterPerson,
        name=TEXT,
        roles=ROLES,
        key=st.just("k9"),
        public_key=st.just("pk-k9"),
        head_armorer=st.booleans(),
        permit=st.none() | st.just(PERMIT),
    )


ANY_COMMAND: st.SearchStrategy[c.Command] = st.one_of(
    st.builds(
        c.OpenProduction,
        production=st.just("dust-road"),
        name=TEXT,
        origin=st.just("o"),
        node_key=st.just("n"),
        founder=founder(),
    ),
    founder(),
    st.builds(c.RecordPermit, person=IDS(ACTORS), permit=st.just(PERMIT)),
    st.builds(c.CorrectPerson, person=IDS(ACTORS), name=TEXT, reason=TEXT),
    st.builds(c.RotateKey, person=IDS(ACTORS), key=st.just("k9"), public_key=st.just("pk")),
    st.builds(c.CreateKey, person=IDS(ACTORS), key=st.just("k9"), public_key=st.just("pk")),
    st.builds(c.RevokeKey, person=IDS(ACTORS), reason=TEXT),
    st.builds(c.AddStore, name=TEXT, kind=st.just("safe"), locked=st.booleans()),
    st.builds(c.SetStoreLock, store=IDS(STORE_REFS), locked=st.booleans()),
    st.builds(
        c.RegisterFirearm,
        serial=TEXT,
        make=st.just("Colt"),
        model=st.just("SAA"),
        action=st.just("revolver"),
        calibre=st.just(".45 Colt"),
        capacity=st.just(Capacity(chambers=6)),
        kind=st.just("rubber"),
        owner=st.just("Rentals"),
        store=IDS(STORE_REFS),
    ),
    st.builds(
        c.CorrectFirearm,
        firearm=IDS(FIREARM_REFS),
        field=st.sampled_from(["serial", "capacity", "store", "owner"]),
        value=st.sampled_from(["6", "lots", "UB-1873-001", "X-1"]),
        reason=TEXT,
    ),
    st.builds(c.TakeFirearm, firearm=IDS(FIREARM_REFS)),
    st.builds(c.ReturnFirearm, firearm=IDS(FIREARM_REFS), store=IDS(STORE_REFS)),
    st.builds(c.ProposeHandoff, firearm=IDS(FIREARM_REFS), receiver=IDS(ACTORS)),
    st.builds(c.AcceptHandoff, handoff=st.sampled_from(["H0001", "H0002", "H0003"])),
    st.builds(c.CancelHandoff, handoff=st.sampled_from(["H0001", "H0002", "H0003"])),
)
ATTEMPTS = st.lists(
    st.tuples(ANY_COMMAND, st.sampled_from(ACTORS), st.sampled_from([NOW, AFTER_EXPIRY])),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(setup=ATTEMPTS, attempts=ATTEMPTS, opened=st.booleans())
def test_no_sequence_of_refused_commands_changes_the_production(
    setup: list[tuple[c.Command, str, datetime]],
    attempts: list[tuple[c.Command, str, datetime]],
    opened: bool,
) -> None:
    # reach some state by applying whatever the random setup commands are allowed to do
    state = replay(standard_production()) if opened else ProductionState()
    for command, actor, now in setup:
        result = decided(state, command, actor, now)
        if not isinstance(result, Refusal):
            state = replay(result, state)

    # then: refused commands (and deciding at all) leave it exactly as it was
    original = snapshot(state)
    for command, actor, now in attempts:
        result = decided(state, command, actor, now)
        if isinstance(result, Refusal):
            assert result.message.strip()
            assert result.rule is None or result.rule in RULES
        assert state == original, f"deciding {command} changed the state"
