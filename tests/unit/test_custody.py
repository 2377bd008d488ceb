"""The chain of custody: taking a firearm out, putting it back, and two-party hand-offs."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from tests.unit.domain_helpers import (
    AFTER_EXPIRY,
    ASSISTANT,
    CART,
    CREW,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    OTHER_TALENT,
    PERMIT_EXPIRES,
    PISTOL,
    PRODUCER,
    REVOLVER,
    RIFLE,
    SAFE,
    SAFETY,
    SOON,
    TALENT,
    accepted,
    blank_lot,
    crew_member,
    given,
    handed,
    incident_opened,
    inspected,
    loaded,
    proposed,
    ready_to_issue,
    standard_production,
    taken,
    unloaded,
    with_talent,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, NotAuthorised, NotFound, Refused

NOT_ARMORERS = [TALENT, FIRST_AD, PRODUCER, SAFETY, INVESTIGATOR]


# -- taking a firearm out of a store -----------------------------------------------------------


def test_an_armorer_with_a_valid_permit_takes_a_firearm_out_of_an_unlocked_store() -> None:
    after = (
        given(standard_production())
        .when(c.TakeFirearm(firearm=REVOLVER), by=HEAD)
        .then(ev.FirearmTaken(firearm=REVOLVER, store=SAFE, by=HEAD))
    )

    assert after.state.holder(REVOLVER) == HEAD
    assert after.state.location[REVOLVER].store is None


@pytest.mark.parametrize("actor", NOT_ARMORERS)
def test_only_the_armorer_takes_a_firearm_out_of_a_store(actor: str) -> None:
    (
        given(standard_production())
        .when(c.TakeFirearm(firearm=REVOLVER), by=actor)
        .then_refused(NotAuthorised, "R-12")
    )


def test_a_firearm_is_not_taken_out_of_a_locked_store() -> None:
    refusal = (
        given(standard_production())
        .when(c.TakeFirearm(firearm=RIFLE), by=HEAD)
        .then_refused(Refused, "R-12")
    )

    assert "Prop cart" in refusal.message
    assert "nlock" in refusal.remedy


def test_an_armorer_without_a_permit_on_file_cannot_take_a_firearm() -> None:
    (
        given(standard_production())
        .when(c.TakeFirearm(firearm=REVOLVER), by=ASSISTANT)
        .then_refused(Refused, "R-45")
    )


def test_an_armorer_whose_permit_has_expired_cannot_take_a_firearm() -> None:
    refusal = (
        given(standard_production())
        .when(c.TakeFirearm(firearm=REVOLVER), by=HEAD, at=AFTER_EXPIRY)
        .then_refused(Refused, "R-45")
    )

    assert "expired" in refusal.message


def test_a_permit_is_still_good_on_the_day_it_expires() -> None:
    last_day = datetime.combine(PERMIT_EXPIRES, time(23, 0), tzinfo=AFTER_EXPIRY.tzinfo)

    (
        given(standard_production())
        .when(c.TakeFirearm(firearm=REVOLVER), by=HEAD, at=last_day)
        .then(ev.FirearmTaken(firearm=REVOLVER, store=SAFE, by=HEAD))
    )


def test_an_unregistered_firearm_cannot_be_taken() -> None:
    (
        given(standard_production())
        .when(c.TakeFirearm(firearm="F99"), by=HEAD)
        .then_refused(Refused, "R-04")
    )


def test_a_firearm_someone_holds_cannot_be_taken_out_of_a_store() -> None:
    refusal = (
        given(standard_production(), with_talent())
        .when(c.TakeFirearm(firearm=REVOLVER), by=HEAD)
        .then_refused(Conflict, None)
    )

    assert "Jack Colt" in refusal.message


# -- putting a firearm back --------------------------------------------------------------------


@pytest.mark.parametrize("into", [SAFE, "S03"])
def test_the_armorer_holding_a_firearm_puts_it_into_an_unlocked_store(into: str) -> None:
    history = [
        *standard_production(),
        ev.StoreAdded(store="S03", name="Truck", kind="truck", locked=False),
    ]
    after = (
        given(history, taken(REVOLVER))
        .when(c.ReturnFirearm(firearm=REVOLVER, store=into), by=HEAD)
        .then(ev.FirearmReturned(firearm=REVOLVER, store=into, by=HEAD))
    )

    assert after.state.location[REVOLVER].store == into
    assert after.state.holder(REVOLVER) is None


def test_the_armorer_cannot_put_away_a_firearm_the_talent_holds() -> None:
    (
        given(standard_production(), with_talent())
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD)
        .then_refused(Refused, "R-14")
    )


def test_an_armorer_cannot_put_away_a_firearm_another_armorer_holds() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=ASSISTANT)
        .then_refused(Refused, "R-14")
    )


def test_a_firearm_already_in_a_store_cannot_be_put_away() -> None:
    (
        given(standard_production())
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD)
        .then_refused(Refused, "R-14")
    )


def test_talent_cannot_put_a_firearm_into_a_store() -> None:
    (
        given(standard_production(), with_talent())
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=TALENT)
        .then_refused(NotAuthorised, "R-12")
    )


def test_a_firearm_is_not_put_into_a_locked_store() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ReturnFirearm(firearm=REVOLVER, store=CART), by=HEAD)
        .then_refused(Refused, "R-12")
    )


def test_a_firearm_with_a_hand_off_waiting_cannot_be_put_away() -> None:
    (
        given(standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_an_unregistered_firearm_cannot_be_put_away() -> None:
    (
        given(standard_production())
        .when(c.ReturnFirearm(firearm="F99", store=SAFE), by=HEAD)
        .then_refused(Refused, "R-04")
    )


def test_a_firearm_is_not_put_into_a_store_that_does_not_exist() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ReturnFirearm(firearm=REVOLVER, store="S99"), by=HEAD)
        .then_refused(NotFound, None)
    )


# -- putting a firearm back: unloaded, inspected after use, counted (R-12, R-19, R-09, R-54) -----


def test_a_loaded_firearm_is_not_put_into_a_store() -> None:
    given(standard_production(), blank_lot(), taken(REVOLVER), loaded(REVOLVER, "A01", 6)).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then_refused(Refused, "R-12")


def test_a_firearm_back_from_the_talent_is_inspected_before_it_goes_into_a_store() -> None:
    refusal = (
        given(standard_production(), with_talent(), handed("H0002", REVOLVER, TALENT, HEAD))
        .when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD)
        .then_refused(Refused, "R-19")
    )

    assert "since it came back from the talent" in refusal.message


def test_an_inspection_before_the_hand_back_does_not_count_as_post_use() -> None:
    history = [
        *with_talent(),
        *inspected(phase="post_use"),
        *handed("H0002", REVOLVER, TALENT, HEAD),
    ]

    given(standard_production(), history).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then_refused(Refused, "R-19")


def test_a_firearm_whose_rounds_are_not_counted_back_is_not_put_away() -> None:
    history = [
        *blank_lot(),
        *taken(REVOLVER),
        *loaded(REVOLVER, "A01", 6),
        *unloaded(REVOLVER, ("A01:6",)),
    ]

    given(standard_production(), history).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then_refused(Refused, "R-09")


def test_once_counted_the_firearm_goes_back_into_its_store() -> None:
    count = ev.RoundsReconciled(
        firearm=REVOLVER, armorer=HEAD, issued=6, fired=0, returned=6, misfired=0, balanced=True
    )
    history = [
        *blank_lot(),
        *taken(REVOLVER),
        *loaded(REVOLVER, "A01", 6),
        *unloaded(REVOLVER, ("A01:6",)),
        count,
    ]

    given(standard_production(), history).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then(ev.FirearmReturned(firearm=REVOLVER, store=SAFE, by=HEAD))


def test_a_firearm_held_as_evidence_is_not_put_into_a_store() -> None:
    held = incident_opened(kind="unplanned_discharge", firearms=(REVOLVER,))

    given(standard_production(), taken(REVOLVER), held).when(
        c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD
    ).then_refused(Refused, "R-54")


# -- proposing a hand-off ----------------------------------------------------------------------


def test_the_armorer_proposes_to_hand_a_firearm_to_the_talent_and_signs_the_proposal() -> None:
    after = (
        given(ready_to_issue())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=SOON)
        .then(ev.HandoffProposed(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=TALENT))
    )

    assert after.history[-1].attesters() == (HEAD,)


def test_until_the_talent_accepts_the_armorer_still_holds_the_firearm() -> None:
    before = given(ready_to_issue())

    after = before.when(
        c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=SOON
    ).accepted()

    assert after.state.holder(REVOLVER) == HEAD
    assert after.state.location == before.state.location
    pending = after.state.pending_for(REVOLVER)
    assert pending is not None
    assert (pending.giver, pending.receiver) == (HEAD, TALENT)


@pytest.mark.parametrize("receiver", [FIRST_AD, PRODUCER, SAFETY, ASSISTANT, CREW])
def test_the_armorer_hands_a_firearm_to_nobody_but_a_talent(receiver: str) -> None:
    (
        given(ready_to_issue(before=[*standard_production(), *crew_member()]))
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=receiver), by=HEAD, at=SOON)
        .then_refused(Refused, "R-13")
    )


def test_an_investigator_takes_only_a_firearm_on_evidence_hold() -> None:
    refusal = (
        given(ready_to_issue())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=INVESTIGATOR), by=HEAD, at=SOON)
        .then_refused(Refused, "R-54")
    )

    assert "not on evidence hold" in refusal.message


@pytest.mark.parametrize("receiver", [OTHER_TALENT, FIRST_AD, PRODUCER])
def test_the_talent_hands_a_firearm_back_to_the_armorer_only(receiver: str) -> None:
    (
        given(standard_production(), with_talent())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=receiver), by=TALENT)
        .then_refused(Refused, "R-14")
    )


@pytest.mark.parametrize("armorer", [HEAD, ASSISTANT])
def test_the_talent_hands_a_firearm_back_to_an_armorer(armorer: str) -> None:
    after = (
        given(standard_production(), with_talent())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=armorer), by=TALENT)
        .then(ev.HandoffProposed(handoff="H0002", firearm=REVOLVER, giver=TALENT, receiver=armorer))
    )

    assert after.history[-1].attesters() == (TALENT,)


def test_an_armorer_whose_permit_has_expired_cannot_hand_a_firearm_to_talent() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD, at=AFTER_EXPIRY)
        .then_refused(Refused, "R-45")
    )


@pytest.mark.parametrize("actor", [ASSISTANT, TALENT, FIRST_AD])
def test_only_the_person_holding_a_firearm_proposes_to_hand_it_over(actor: str) -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=OTHER_TALENT), by=actor)
        .then_refused(NotAuthorised, "R-14")
    )


def test_a_firearm_in_a_store_cannot_be_handed_over() -> None:
    (
        given(standard_production())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=HEAD)
        .then_refused(NotAuthorised, "R-14")
    )


def test_a_firearm_has_at_most_one_hand_off_waiting() -> None:
    (
        given(standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=OTHER_TALENT), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_hand_offs_of_different_firearms_wait_side_by_side() -> None:
    revolver_offered = [*ready_to_issue(), *proposed("H0001", REVOLVER, HEAD, TALENT)]
    history = ready_to_issue(
        PISTOL, OTHER_TALENT, before=revolver_offered, scene="14B", open_day=False
    )
    after = (
        given(history)
        .when(c.ProposeHandoff(firearm=PISTOL, receiver=OTHER_TALENT), by=HEAD, at=SOON)
        .then(
            ev.HandoffProposed(handoff="H0002", firearm=PISTOL, giver=HEAD, receiver=OTHER_TALENT)
        )
    )

    assert set(after.state.handoffs) == {"H0001", "H0002"}


def test_nobody_hands_a_firearm_to_themselves() -> None:
    (
        given(standard_production(), with_talent())
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=TALENT), by=TALENT)
        .then_refused(Conflict, None)
    )


def test_a_firearm_is_not_handed_to_someone_outside_the_production() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver="P99"), by=HEAD)
        .then_refused(NotFound, None)
    )


def test_an_unregistered_firearm_cannot_be_handed_over() -> None:
    (
        given(standard_production())
        .when(c.ProposeHandoff(firearm="F99", receiver=TALENT), by=HEAD)
        .then_refused(Refused, "R-04")
    )


# -- accepting a hand-off ----------------------------------------------------------------------


def test_the_named_talent_accepts_and_signs_and_then_holds_the_firearm() -> None:
    after = (
        given(ready_to_issue(), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.AcceptHandoff(handoff="H0001"), by=TALENT, at=SOON)
        .then(ev.HandoffAccepted(handoff="H0001", firearm=REVOLVER, giver=HEAD, receiver=TALENT))
    )

    assert after.history[-1].attesters() == (TALENT,)
    assert after.state.holder(REVOLVER) == TALENT
    assert after.state.pending_for(REVOLVER) is None


def test_the_armorer_takes_a_firearm_back_from_talent_and_puts_it_away() -> None:
    back = (
        given(standard_production(), with_talent(), proposed("H0002", REVOLVER, TALENT, HEAD))
        .when(c.AcceptHandoff(handoff="H0002"), by=HEAD)
        .accepted()
    )
    assert back.state.holder(REVOLVER) == HEAD
    after_use = back.when(
        c.InspectFirearm(
            firearm=REVOLVER, positions=("empty",) * 6, barrel_clear=True, phase="post_use"
        ),
        by=HEAD,
    ).accepted()

    after = after_use.when(c.ReturnFirearm(firearm=REVOLVER, store=SAFE), by=HEAD).then(
        ev.FirearmReturned(firearm=REVOLVER, store=SAFE, by=HEAD)
    )

    assert after.state.location[REVOLVER].store == SAFE


@pytest.mark.parametrize("actor", [HEAD, OTHER_TALENT, FIRST_AD])
def test_only_the_named_receiver_accepts_a_hand_off(actor: str) -> None:
    (
        given(standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.AcceptHandoff(handoff="H0001"), by=actor)
        .then_refused(NotAuthorised, "R-18")
    )


def test_a_hand_off_is_accepted_only_once() -> None:
    (
        given(standard_production(), with_talent())
        .when(c.AcceptHandoff(handoff="H0001"), by=TALENT)
        .then_refused(NotFound, None)
    )


def test_a_hand_off_that_was_never_proposed_cannot_be_accepted() -> None:
    (
        given(standard_production(), taken(REVOLVER))
        .when(c.AcceptHandoff(handoff="H0001"), by=TALENT)
        .then_refused(NotFound, None)
    )


# -- cancelling a hand-off ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", [HEAD, TALENT])
def test_the_giver_or_the_receiver_cancels_a_hand_off_and_nothing_moves(actor: str) -> None:
    before = given(
        standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT)
    )

    after = before.when(c.CancelHandoff(handoff="H0001"), by=actor).then(
        ev.HandoffCancelled(handoff="H0001", firearm=REVOLVER, by=actor)
    )

    assert after.state.location == before.state.location
    assert after.state.holder(REVOLVER) == HEAD
    assert after.state.handoffs == {}


@pytest.mark.parametrize("actor", [OTHER_TALENT, ASSISTANT, PRODUCER])
def test_nobody_else_cancels_a_hand_off(actor: str) -> None:
    (
        given(standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.CancelHandoff(handoff="H0001"), by=actor)
        .then_refused(NotAuthorised, None)
    )


def test_a_cancelled_hand_off_cannot_be_accepted() -> None:
    cancelled = ev.HandoffCancelled(handoff="H0001", firearm=REVOLVER, by=TALENT)
    (
        given(
            standard_production(),
            taken(REVOLVER),
            proposed("H0001", REVOLVER, HEAD, TALENT),
            [cancelled],
        )
        .when(c.AcceptHandoff(handoff="H0001"), by=TALENT)
        .then_refused(NotFound, None)
    )


def test_after_a_cancellation_the_firearm_can_be_handed_to_someone_else() -> None:
    cancelled = ev.HandoffCancelled(handoff="H0001", firearm=REVOLVER, by=TALENT)
    (
        given(
            ready_to_issue(also=(OTHER_TALENT,)),
            proposed("H0001", REVOLVER, HEAD, TALENT),
            [cancelled],
        )
        .when(c.ProposeHandoff(firearm=REVOLVER, receiver=OTHER_TALENT), by=HEAD, at=SOON)
        .then(
            ev.HandoffProposed(handoff="H0002", firearm=REVOLVER, giver=HEAD, receiver=OTHER_TALENT)
        )
    )


def test_an_accepted_hand_off_can_no_longer_be_cancelled() -> None:
    (
        given(standard_production(), taken(REVOLVER), handed("H0001", REVOLVER, HEAD, TALENT))
        .when(c.CancelHandoff(handoff="H0001"), by=HEAD)
        .then_refused(NotFound, None)
    )


# -- signatures --------------------------------------------------------------------------------


def test_a_hand_off_is_signed_by_the_giver_when_proposed_and_the_receiver_when_accepted() -> None:
    proposal = proposed("H0001", REVOLVER, HEAD, TALENT)[0]
    acceptance = accepted("H0001", REVOLVER, HEAD, TALENT)[0]
    back = proposed("H0002", REVOLVER, TALENT, ASSISTANT)[0]
    back_accepted = accepted("H0002", REVOLVER, TALENT, ASSISTANT)[0]

    assert proposal.attesters() == (HEAD,)
    assert acceptance.attesters() == (TALENT,)
    assert back.attesters() == (TALENT,)
    assert back_accepted.attesters() == (ASSISTANT,)
