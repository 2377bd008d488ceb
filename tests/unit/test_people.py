"""Opening a production, registering people, permits, name corrections and personal keys."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from tests.unit.domain_helpers import (
    ASSISTANT,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    NAMES,
    PISTOL,
    PRODUCER,
    REVOLVER,
    SAFE,
    SAFETY,
    TALENT,
    given,
    key_of,
    opened,
    person,
    proposed,
    standard_production,
    taken,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, NotFound
from coldcheck.domain.values import Capacity, Permit, Role

PERMIT = Permit(number="CA-0077", authority="California DOJ", expires=date(2027, 6, 30))


def registering(
    name: str,
    *roles: Role,
    head_armorer: bool = False,
    permit: Permit | None = None,
    key: str = "knew",
) -> c.RegisterPerson:
    return c.RegisterPerson(
        name=name,
        roles=frozenset(roles),
        key=key,
        public_key=f"pk-{key}",
        head_armorer=head_armorer,
        permit=permit,
    )


def opening(founder: c.RegisterPerson) -> c.OpenProduction:
    return c.OpenProduction(
        production="dust-road",
        name="Dust Road",
        origin="coldcheck/node-a/dust-road",
        node_key="node-a+0000",
        founder=founder,
    )


# -- opening a production ----------------------------------------------------------------------


def test_opening_a_production_records_the_ledger_the_production_and_its_founder() -> None:
    founder = registering("Hannah Reed", Role.ARMORER, head_armorer=True, permit=PERMIT, key="k1")

    after = (
        given()
        .when(opening(founder), by="P01")
        .then(
            ev.LedgerOpened(origin="coldcheck/node-a/dust-road", node_key="node-a+0000"),
            ev.ProductionCreated(production="dust-road", name="Dust Road"),
            ev.PersonRegistered(
                person="P01", name="Hannah Reed", roles=("armorer",), head_armorer=True
            ),
            ev.KeyCreated(person="P01", key="k1", public_key="pk-k1"),
            ev.PermitRecorded(
                person="P01", number="CA-0077", authority="California DOJ", expires="2027-06-30"
            ),
        )
    )

    head = after.state.head_armorer()
    assert head is not None
    assert (head.id, head.name, head.key, head.permit) == ("P01", "Hannah Reed", "k1", PERMIT)


def test_a_production_cannot_be_opened_twice() -> None:
    founder = registering("Paul Price", Role.PRODUCER)

    given(standard_production()).when(opening(founder), by="P01").then_refused(Conflict, None)


def test_nothing_else_can_be_done_before_the_production_is_opened() -> None:
    given().when(registering("Jack Colt", Role.TALENT), by="P01").then_refused(Conflict, None)


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.SAFETY_ADVISOR, Role.ARMORER])
def test_the_producer_a_safety_advisor_or_an_armorer_may_open_a_production(role: Role) -> None:
    events = given().when(opening(registering("Founder", role)), by="P01").events

    assert ev.PersonRegistered(person="P01", name="Founder", roles=(role.value,)) in events


@pytest.mark.parametrize("role", [Role.TALENT, Role.FIRST_AD, Role.CREW, Role.INVESTIGATOR])
def test_nobody_else_may_open_a_production(role: Role) -> None:
    (given().when(opening(registering("Founder", role)), by="P01").then_refused(InvalidInput, None))


# -- registering people ------------------------------------------------------------------------


@pytest.mark.parametrize("admin", [HEAD, PRODUCER, SAFETY])
def test_the_head_armorer_the_producer_and_the_safety_advisor_register_people(admin: str) -> None:
    after = (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.TALENT, key="k9"), by=admin)
        .then(
            ev.PersonRegistered(person="P09", name="Rosa Diaz", roles=("talent",)),
            ev.KeyCreated(person="P09", key="k9", public_key="pk-k9"),
        )
    )

    assert after.state.people["P09"].roles == {Role.TALENT}


@pytest.mark.parametrize("actor", [ASSISTANT, TALENT, FIRST_AD, INVESTIGATOR])
def test_nobody_else_registers_people(actor: str) -> None:
    (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.TALENT), by=actor)
        .then_refused(NotAuthorised, None)
    )


def test_a_new_person_gets_the_id_their_key_was_sealed_for() -> None:
    command = dataclasses.replace(registering("Rosa Diaz", Role.TALENT, key="k9"), person="P12")

    (
        given(standard_production())
        .when(command, by=HEAD)
        .then(
            ev.PersonRegistered(person="P12", name="Rosa Diaz", roles=("talent",)),
            ev.KeyCreated(person="P12", key="k9", public_key="pk-k9"),
        )
    )


def test_a_new_person_cannot_take_an_id_someone_already_has() -> None:
    command = dataclasses.replace(registering("Rosa Diaz", Role.TALENT), person=TALENT)

    given(standard_production()).when(command, by=HEAD).then_refused(Conflict, None)


def test_someone_who_is_not_in_the_production_cannot_register_anyone() -> None:
    (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.TALENT), by="P99")
        .then_refused(NotAuthorised, None)
    )


def test_two_people_cannot_have_the_same_name_whatever_the_case() -> None:
    refusal = (
        given(standard_production())
        .when(registering("JACK COLT", Role.CREW), by=HEAD)
        .then_refused(Conflict, None)
    )

    assert "JACK COLT" in refusal.message


def test_a_production_has_only_one_head_armorer() -> None:
    (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.ARMORER, head_armorer=True), by=PRODUCER)
        .then_refused(Conflict, None)
    )


def test_only_an_armorer_can_be_the_head_armorer() -> None:
    (
        given(opened(), person("P01", "Paul Price", Role.PRODUCER))
        .when(registering("Rosa Diaz", Role.FIRST_AD, head_armorer=True), by="P01")
        .then_refused(InvalidInput, None)
    )


def test_an_investigator_has_no_other_role() -> None:
    (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.INVESTIGATOR, Role.PRODUCER), by=PRODUCER)
        .then_refused(InvalidInput, None)
    )


_INVESTIGATOR_ATTEMPTS: list[tuple[c.Command, str | None]] = [
    (registering("Rosa Diaz", Role.TALENT), None),
    (c.RecordPermit(person=ASSISTANT, permit=PERMIT), None),
    (c.CorrectPerson(person=TALENT, name="Jack Colter", reason="typo"), None),
    (c.CreateKey(person=TALENT, key="k9", public_key="pk-k9"), None),
    (c.RevokeKey(person=TALENT, reason="lost phone"), None),
    (c.AddStore(name="Evidence locker", kind="locker"), "R-12"),
    (c.SetStoreLock(store=SAFE, locked=True), "R-12"),
    (
        c.RegisterFirearm(
            serial="GL-17-0001",
            make="Glock",
            model="17",
            action="semi_automatic_pistol",
            calibre="9mm",
            capacity=Capacity.parse("17+1"),
            kind="non_firing_replica",
            owner="Hollywood Rentals",
            store=SAFE,
        ),
        "R-11",
    ),
    (c.CorrectFirearm(firearm=PISTOL, field="owner", value="Me", reason="mine"), "R-11"),
    (c.TakeFirearm(firearm=PISTOL), "R-12"),
    (c.ReturnFirearm(firearm=REVOLVER, store=SAFE), "R-12"),
    (c.ProposeHandoff(firearm=REVOLVER, receiver=INVESTIGATOR), "R-14"),
    (c.AcceptHandoff(handoff="H0001"), "R-18"),
    (c.CancelHandoff(handoff="H0001"), None),
]


@pytest.mark.parametrize(
    ("command", "rule"),
    _INVESTIGATOR_ATTEMPTS,
    ids=[type(cmd).__name__ for cmd, _ in _INVESTIGATOR_ATTEMPTS],
)
def test_an_investigator_can_look_but_do_nothing(command: c.Command, rule: str | None) -> None:
    (
        given(standard_production(), taken(REVOLVER), proposed("H0001", REVOLVER, HEAD, TALENT))
        .when(command, by=INVESTIGATOR)
        .then_refused(NotAuthorised, rule)
    )


# -- permits -----------------------------------------------------------------------------------


def test_an_admin_records_an_armorers_permit() -> None:
    after = (
        given(standard_production())
        .when(c.RecordPermit(person=ASSISTANT, permit=PERMIT), by=HEAD)
        .then(
            ev.PermitRecorded(
                person=ASSISTANT, number="CA-0077", authority="California DOJ", expires="2027-06-30"
            )
        )
    )

    assert after.state.people[ASSISTANT].permit == PERMIT


def test_only_armorers_carry_a_permit() -> None:
    (
        given(standard_production())
        .when(c.RecordPermit(person=TALENT, permit=PERMIT), by=HEAD)
        .then_refused(InvalidInput, None)
    )


def test_a_non_armorer_is_not_registered_with_a_permit() -> None:
    (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.TALENT, permit=PERMIT), by=HEAD)
        .then_refused(InvalidInput, None)
    )


def test_an_armorer_cannot_record_their_own_permit_unless_head_armorer() -> None:
    (
        given(standard_production())
        .when(c.RecordPermit(person=ASSISTANT, permit=PERMIT), by=ASSISTANT)
        .then_refused(NotAuthorised, None)
    )


def test_a_permit_for_someone_not_in_the_production_is_refused() -> None:
    (
        given(standard_production())
        .when(c.RecordPermit(person="P99", permit=PERMIT), by=HEAD)
        .then_refused(NotFound, None)
    )


# -- correcting a person's name ----------------------------------------------------------------


def test_a_name_correction_points_at_the_persons_registration_entry() -> None:
    before = given(standard_production())
    registration = ev.PersonRegistered(person=TALENT, name=NAMES[TALENT], roles=("talent",))

    after = before.when(
        c.CorrectPerson(person=TALENT, name="Jack Colter", reason="misspelt on the call sheet"),
        by=PRODUCER,
    ).then(
        ev.PersonCorrected(
            person=TALENT,
            entry=before.seq_of(registration),
            name="Jack Colter",
            reason="misspelt on the call sheet",
        )
    )

    assert after.history[-1].corrects() == before.seq_of(registration)
    assert after.state.people[TALENT].name == "Jack Colter"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_name_correction_needs_a_reason(reason: str) -> None:
    (
        given(standard_production())
        .when(c.CorrectPerson(person=TALENT, name="Jack Colter", reason=reason), by=PRODUCER)
        .then_refused(InvalidInput, None)
    )


def test_a_name_correction_cannot_give_someone_another_persons_name() -> None:
    (
        given(standard_production())
        .when(
            c.CorrectPerson(person=TALENT, name=NAMES[FIRST_AD].upper(), reason="wrong name"),
            by=PRODUCER,
        )
        .then_refused(Conflict, None)
    )


def test_a_name_correction_may_change_the_case_of_the_persons_own_name() -> None:
    after = (
        given(standard_production())
        .when(c.CorrectPerson(person=TALENT, name="Jack COLT", reason="as billed"), by=HEAD)
        .accepted()
    )

    assert after.state.people[TALENT].name == "Jack COLT"


def test_only_an_admin_corrects_a_name() -> None:
    (
        given(standard_production())
        .when(c.CorrectPerson(person=TALENT, name="Jack Colter", reason="typo"), by=TALENT)
        .then_refused(NotAuthorised, None)
    )


# -- personal keys -----------------------------------------------------------------------------


def test_a_person_rotates_their_own_key_and_signs_the_rotation() -> None:
    after = (
        given(standard_production())
        .when(c.RotateKey(person=TALENT, key="k2", public_key="pk-k2"), by=TALENT)
        .then(ev.KeyRotated(person=TALENT, old_key=key_of(TALENT), key="k2", public_key="pk-k2"))
    )

    assert after.history[-1].attesters() == (TALENT,)
    assert after.state.people[TALENT].key == "k2"


def test_nobody_rotates_someone_elses_key_not_even_the_head_armorer() -> None:
    (
        given(standard_production())
        .when(c.RotateKey(person=TALENT, key="k2", public_key="pk-k2"), by=HEAD)
        .then_refused(NotAuthorised, None)
    )


def revoked(pid: str) -> list[ev.Event]:
    return [ev.KeyRevoked(person=pid, key=key_of(pid), reason="lost phone")]


def test_a_revoked_key_cannot_be_rotated() -> None:
    (
        given(standard_production(), revoked(TALENT))
        .when(c.RotateKey(person=TALENT, key="k2", public_key="pk-k2"), by=TALENT)
        .then_refused(Conflict, None)
    )


@pytest.mark.parametrize("actor", [TALENT, HEAD, PRODUCER, SAFETY])
def test_a_key_is_revoked_by_its_owner_or_an_admin(actor: str) -> None:
    after = (
        given(standard_production())
        .when(c.RevokeKey(person=TALENT, reason="lost phone"), by=actor)
        .then(ev.KeyRevoked(person=TALENT, key=key_of(TALENT), reason="lost phone"))
    )

    assert after.state.people[TALENT].key is None


@pytest.mark.parametrize("actor", [ASSISTANT, FIRST_AD, INVESTIGATOR])
def test_nobody_else_revokes_someones_key(actor: str) -> None:
    (
        given(standard_production())
        .when(c.RevokeKey(person=TALENT, reason="lost phone"), by=actor)
        .then_refused(NotAuthorised, None)
    )


def test_a_key_cannot_be_revoked_twice() -> None:
    (
        given(standard_production(), revoked(TALENT))
        .when(c.RevokeKey(person=TALENT, reason="again"), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_a_new_key_is_created_only_once_the_old_one_is_revoked() -> None:
    (
        given(standard_production())
        .when(c.CreateKey(person=TALENT, key="k2", public_key="pk-k2"), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_an_admin_creates_a_new_key_that_its_owner_signs() -> None:
    after = (
        given(standard_production(), revoked(TALENT))
        .when(c.CreateKey(person=TALENT, key="k2", public_key="pk-k2"), by=HEAD)
        .then(ev.KeyCreated(person=TALENT, key="k2", public_key="pk-k2"))
    )

    assert after.history[-1].attesters() == (TALENT,)
    assert after.state.people[TALENT].key == "k2"


def test_a_person_whose_key_was_revoked_cannot_make_their_own_new_key() -> None:
    (
        given(standard_production(), revoked(TALENT))
        .when(c.CreateKey(person=TALENT, key="k2", public_key="pk-k2"), by=TALENT)
        .then_refused(NotAuthorised, None)
    )


def test_only_an_admin_creates_a_key_for_someone_else() -> None:
    (
        given(standard_production(), revoked(TALENT))
        .when(c.CreateKey(person=TALENT, key="k2", public_key="pk-k2"), by=ASSISTANT)
        .then_refused(NotAuthorised, None)
    )


def test_registering_a_person_creates_their_key_signed_by_them() -> None:
    events = (
        given(standard_production())
        .when(registering("Rosa Diaz", Role.TALENT, key="k9"), by=HEAD)
        .events
    )

    created = [e for e in events if isinstance(e, ev.KeyCreated)]
    assert [e.attesters() for e in created] == [("P09",)]
