"""A hot-gun take through the application layer, from the opening check to wrap, and the
ledger it leaves verifies."""

from __future__ import annotations

import pytest
from tests.conftest import PINS, PRODUCTION

from coldcheck.app import handlers as h
from coldcheck.app import ledgerops
from coldcheck.app.service import App
from coldcheck.domain.errors import Refused
from coldcheck.domain.values import Action, AmmoClass, BlankLoad


def test_a_hot_take_from_opening_check_to_wrap_reconciles_and_verifies(seeded: App) -> None:
    app = seeded
    h.receive_ammunition(
        app,
        PRODUCTION,
        "P01",
        ammo_class=AmmoClass.BLANK,
        calibre=".45 Colt",
        count=50,
        supplier="Stembridge",
        provenance="Invoice 4471, lot B-45-H",
        store="S01",
        load=BlankLoad.HALF,
        pin=PINS["P01"],
    )
    h.open_day(app, PRODUCTION, "P01", ("Main safe",), "Sc 12A hot", pin=PINS["P01"])
    h.record_training(app, PRODUCTION, "P01", "P02", Action.REVOLVER, "", pin=PINS["P01"])
    h.file_plan(
        app,
        PRODUCTION,
        "P01",
        scene="12A",
        mode="take",
        firearms=("F01:blank:6:half",),
        distance_ft=25,
        shields=("Lexan shield for camera",),
        protection=("ear plugs", "eye protection"),
        justification="Muzzle flash in a close-up; effects flash rejected by the director.",
        pin=PINS["P01"],
    )
    h.approve_plan(app, PRODUCTION, "P04", "12A", pin=PINS["P04"])
    h.hold_meeting(app, PRODUCTION, "P03", "12A", ("P01", "P02"), pin=PINS["P03"])
    h.attend_meeting(app, PRODUCTION, "P02", "M01", pin=PINS["P02"])
    h.take(app, PRODUCTION, "P01", "F01")
    with pytest.raises(Refused) as refused:
        h.load(app, PRODUCTION, "P01", "F01", "A01", 6, pin=PINS["P01"])
    assert refused.value.rule == "R-27"
    h.call_firearm(app, PRODUCTION, "P03", "F01", "12A")
    h.load(app, PRODUCTION, "P01", "F01", "A01", 6, pin=PINS["P01"])
    h.inspect(
        app,
        PRODUCTION,
        "P01",
        "F01",
        positions=("blank:A01",) * 6,
        barrel_clear=True,
        phase="pre_use",
        pin=PINS["P01"],
    )
    h.witness(app, PRODUCTION, "P03", "F01", PINS["P03"])
    h.witness(app, PRODUCTION, "P02", "F01", PINS["P02"])
    with pytest.raises(Refused) as refused:
        h.hand_off(app, PRODUCTION, "P01", "F01", "P02", PINS["P01"])
    assert refused.value.rule == "R-41"
    h.announce(app, PRODUCTION, "P03", "F01", pin=PINS["P03"])
    h.hand_off(app, PRODUCTION, "P01", "F01", "P02", PINS["P01"])
    h.accept(app, PRODUCTION, "P02", "F01", PINS["P02"])
    fired = h.discharge(app, PRODUCTION, "P01", "F01", 6)
    assert [e.TYPE for e in fired.events] == ["firearm.discharged"]
    h.cut(app, PRODUCTION, "P03", "12A")
    h.hand_off(app, PRODUCTION, "P02", "F01", "P01", PINS["P02"])
    h.accept(app, PRODUCTION, "P01", "F01", PINS["P01"])
    h.inspect(
        app,
        PRODUCTION,
        "P01",
        "F01",
        positions=("spent",) * 6,
        barrel_clear=True,
        phase="post_use",
        pin=PINS["P01"],
    )
    h.unload(app, PRODUCTION, "P01", "F01", pin=PINS["P01"])
    with pytest.raises(Refused) as refused:
        h.put_back(app, PRODUCTION, "P01", "F01", "S01")
    assert refused.value.rule == "R-09"
    counted = h.reconcile(
        app, PRODUCTION, "P01", "F01", fired=6, returned=0, misfired=0, pin=PINS["P01"]
    )
    assert [e.TYPE for e in counted.events] == ["rounds.reconciled"]
    h.put_back(app, PRODUCTION, "P01", "F01", "S01")
    with pytest.raises(Refused) as refused:
        h.call_break(app, PRODUCTION, "P03", "wrap", pin=PINS["P03"])
    assert refused.value.rule == "R-08"
    h.set_lock(app, PRODUCTION, "P01", "S01", locked=True)
    h.call_break(app, PRODUCTION, "P03", "wrap", pin=PINS["P03"])
    state = app.state(PRODUCTION)
    assert state.on_break == "wrap"
    assert not state.incidents
    lot = state.lots["A01"]
    assert (lot.count, lot.fired, lot.received) == (44, 6, 50)
    report = ledgerops.verify(app, PRODUCTION, app.node().verifier_key)
    assert report.size == state.seq
