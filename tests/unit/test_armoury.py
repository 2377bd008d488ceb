"""Stores and their locks; registering and correcting firearms."""

from __future__ import annotations

import pytest
from tests.unit.domain_helpers import (
    ASSISTANT,
    CART,
    FIRST_AD,
    HEAD,
    INVESTIGATOR,
    PISTOL,
    PRODUCER,
    REVOLVER,
    SAFE,
    SAFETY,
    TALENT,
    firearm,
    given,
    opened,
    person,
    standard_production,
    store,
)

from coldcheck.domain import commands as c
from coldcheck.domain import events as ev
from coldcheck.domain.errors import Conflict, InvalidInput, NotAuthorised, NotFound, Refused
from coldcheck.domain.values import Capacity, Role

NOT_ARMORERS = [TALENT, FIRST_AD, PRODUCER, SAFETY, INVESTIGATOR]


def registering(serial: str = "GL-17-0001", store: str = SAFE) -> c.RegisterFirearm:
    return c.RegisterFirearm(
        serial=serial,
        make="Glock",
        model="17",
        action="semi_automatic_pistol",
        calibre="9mm",
        capacity=Capacity.parse("17+1"),
        kind="non_firing_replica",
        owner="Hollywood Rentals",
        store=store,
        documents=("permit-0042.pdf",),
    )


# -- stores ------------------------------------------------------------------------------------


@pytest.mark.parametrize("armorer", [HEAD, ASSISTANT])
def test_an_armorer_adds_a_store_that_is_locked_unless_said_otherwise(armorer: str) -> None:
    after = (
        given(standard_production())
        .when(c.AddStore(name="Truck", kind="truck"), by=armorer)
        .then(ev.StoreAdded(store="S03", name="Truck", kind="truck", locked=True))
    )

    assert after.state.stores["S03"].locked


@pytest.mark.parametrize("actor", NOT_ARMORERS)
def test_only_an_armorer_adds_a_store(actor: str) -> None:
    (
        given(standard_production())
        .when(c.AddStore(name="Truck", kind="truck"), by=actor)
        .then_refused(NotAuthorised, "R-12")
    )


def test_two_stores_cannot_have_the_same_name() -> None:
    (
        given(standard_production())
        .when(c.AddStore(name="main SAFE", kind="safe"), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_an_armorer_locks_an_unlocked_store() -> None:
    after = (
        given(standard_production())
        .when(c.SetStoreLock(store=SAFE, locked=True), by=HEAD)
        .then(ev.StoreLocked(store=SAFE))
    )

    assert after.state.stores[SAFE].locked


def test_an_armorer_without_a_valid_permit_neither_opens_stores_nor_registers_firearms() -> None:
    given(standard_production()).when(
        c.SetStoreLock(store=SAFE, locked=True), by=ASSISTANT
    ).then_refused(Refused, "R-45")
    given(standard_production()).when(registering(), by=ASSISTANT).then_refused(Refused, "R-45")


def test_an_armorer_unlocks_a_locked_store() -> None:
    after = (
        given(standard_production())
        .when(c.SetStoreLock(store=CART, locked=False), by=HEAD)
        .then(ev.StoreUnlocked(store=CART))
    )

    assert not after.state.stores[CART].locked


@pytest.mark.parametrize("actor", NOT_ARMORERS)
@pytest.mark.parametrize(("target", "locked"), [(SAFE, True), (CART, False)])
def test_only_an_armorer_locks_or_unlocks_a_store(actor: str, target: str, locked: bool) -> None:
    (
        given(standard_production())
        .when(c.SetStoreLock(store=target, locked=locked), by=actor)
        .then_refused(NotAuthorised, "R-12")
    )


def test_locking_a_store_that_is_already_locked_is_refused() -> None:
    refusal = (
        given(standard_production())
        .when(c.SetStoreLock(store=CART, locked=True), by=HEAD)
        .then_refused(Conflict, None)
    )

    assert "already locked" in refusal.message


def test_unlocking_a_store_that_is_already_unlocked_is_refused() -> None:
    refusal = (
        given(standard_production())
        .when(c.SetStoreLock(store=SAFE, locked=False), by=HEAD)
        .then_refused(Conflict, None)
    )

    assert "already unlocked" in refusal.message


def test_locking_a_store_that_does_not_exist_is_refused() -> None:
    (
        given(standard_production())
        .when(c.SetStoreLock(store="S99", locked=True), by=HEAD)
        .then_refused(NotFound, None)
    )


# -- registering firearms ----------------------------------------------------------------------


def test_no_firearm_is_registered_before_a_head_armorer_is_designated() -> None:
    refusal = (
        given(
            opened(),
            person("P01", "Paul Price", Role.PRODUCER),
            person("P02", "Sam Hale", Role.ARMORER),
            store("S01", "Main safe", locked=False),
        )
        .when(registering(), by="P02")
        .then_refused(Refused, "R-11")
    )

    assert "head armorer" in refusal.message


@pytest.mark.parametrize("armorer", [HEAD])
def test_an_armorer_registers_a_firearm_into_a_store(armorer: str) -> None:
    after = (
        given(standard_production())
        .when(registering(), by=armorer)
        .then(
            ev.FirearmRegistered(
                firearm="F04",
                serial="GL-17-0001",
                make="Glock",
                model="17",
                action="semi_automatic_pistol",
                calibre="9mm",
                chambers=1,
                magazine=17,
                kind="non_firing_replica",
                owner="Hollywood Rentals",
                documents=("permit-0042.pdf",),
                store=SAFE,
            )
        )
    )

    assert after.state.firearms["F04"].capacity == Capacity(chambers=1, magazine=17)
    assert after.state.location["F04"].store == SAFE
    assert after.state.location["F04"].person is None


@pytest.mark.parametrize("actor", NOT_ARMORERS)
def test_only_an_armorer_registers_a_firearm(actor: str) -> None:
    given(standard_production()).when(registering(), by=actor).then_refused(NotAuthorised, "R-11")


def test_a_serial_number_is_registered_only_once() -> None:
    (
        given(standard_production())
        .when(registering(serial="UB-1873-001"), by=HEAD)
        .then_refused(Conflict, None)
    )


def test_a_firearm_is_not_registered_into_a_store_that_does_not_exist() -> None:
    (
        given(standard_production())
        .when(registering(store="S99"), by=HEAD)
        .then_refused(NotFound, None)
    )


# -- correcting firearms -----------------------------------------------------------------------


def test_a_firearm_correction_points_at_its_registration_entry() -> None:
    before = given(standard_production())
    registration = firearm(PISTOL, "BE-92-7781", SAFE, chambers=1, magazine=15)[0]

    after = before.when(
        c.CorrectFirearm(firearm=PISTOL, field="capacity", value="17+1", reason="wrong magazine"),
        by=HEAD,
    ).then(
        ev.FirearmCorrected(
            firearm=PISTOL,
            entry=before.seq_of(registration),
            field="capacity",
            value="17+1",
            reason="wrong magazine",
        )
    )

    assert after.history[-1].corrects() == before.seq_of(registration)
    assert after.state.firearms[PISTOL].capacity == Capacity(chambers=1, magazine=17)
    assert after.state.location == before.state.location


def test_a_corrected_document_is_added_to_the_firearms_documents() -> None:
    after = (
        given(standard_production())
        .when(
            c.CorrectFirearm(firearm=REVOLVER, field="documents", value="bill.pdf", reason="new"),
            by=HEAD,
        )
        .accepted()
    )

    assert after.state.firearms[REVOLVER].documents == ("bill.pdf",)


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_firearm_correction_needs_a_reason(reason: str) -> None:
    (
        given(standard_production())
        .when(
            c.CorrectFirearm(firearm=PISTOL, field="make", value="Taurus", reason=reason), by=HEAD
        )
        .then_refused(InvalidInput, None)
    )


@pytest.mark.parametrize("actor", NOT_ARMORERS)
def test_only_an_armorer_corrects_a_firearm(actor: str) -> None:
    (
        given(standard_production())
        .when(
            c.CorrectFirearm(firearm=PISTOL, field="make", value="Taurus", reason="typo"), by=actor
        )
        .then_refused(NotAuthorised, "R-11")
    )


def test_a_firearms_store_is_not_changed_by_a_correction() -> None:
    refusal = (
        given(standard_production())
        .when(c.CorrectFirearm(firearm=PISTOL, field="store", value=CART, reason="moved"), by=HEAD)
        .then_refused(InvalidInput, None)
    )

    assert "capacity" in refusal.remedy


def test_a_corrected_capacity_must_be_a_capacity() -> None:
    (
        given(standard_production())
        .when(c.CorrectFirearm(firearm=PISTOL, field="capacity", value="lots", reason="x"), by=HEAD)
        .then_refused(InvalidInput, None)
    )


def test_a_serial_cannot_be_corrected_to_another_firearms_serial() -> None:
    (
        given(standard_production())
        .when(
            c.CorrectFirearm(firearm=PISTOL, field="serial", value="UB-1873-001", reason="x"),
            by=HEAD,
        )
        .then_refused(Conflict, None)
    )


def test_an_unregistered_firearm_cannot_be_corrected() -> None:
    (
        given(standard_production())
        .when(c.CorrectFirearm(firearm="F99", field="make", value="Colt", reason="x"), by=HEAD)
        .then_refused(Refused, "R-04")
    )


def test_a_correction_leaves_where_the_firearm_is_alone() -> None:
    before = given(standard_production())

    after = before.when(
        c.CorrectFirearm(firearm=REVOLVER, field="owner", value="Prop House", reason="re-let"),
        by=HEAD,
    ).accepted()

    assert after.state.firearms[REVOLVER].owner == "Prop House"
    assert after.state.location[REVOLVER] == before.state.location[REVOLVER]
