"""A scenario's production as its file describes it: the people, stores, firearms and lots.

Recorded through the application handlers at the scenario's ``start``: the head armorer
opens the production (P01), registers everyone else with their generated PINs, adds the
stores and firearms, and receives the ammunition lots (A01, A02, ... in the file's order).
A refusal here (an expired permit on the head armorer, say) names the line that caused it.
"""

from __future__ import annotations

from coldcheck.app import handlers as h
from coldcheck.app.service import App
from coldcheck.domain.errors import Refusal
from coldcheck.scenario.model import Scenario, ScenarioError


def setup(app: App, production: str, s: Scenario, pins: dict[str, str]) -> None:
    """The production as the file describes it, recorded at ``start`` by the head armorer."""
    founder = s.founder()
    line = founder.line
    try:
        h.init(
            app,
            production,
            s.name,
            founder.name,
            founder.roles,
            pins[founder.name],
            head_armorer=True,
            permit=founder.permit,
        )
        head = pins[founder.name]
        for m in s.cast:
            if m is not founder:
                line = m.line
                h.add_person(
                    app,
                    production,
                    "P01",
                    m.name,
                    m.roles,
                    pins[m.name],
                    permit=m.permit,
                    actor_pin=head,
                )
        for store in s.stores:
            line = store.line
            h.add_store(app, production, "P01", store.name, store.kind, store.locked)
        for f in s.firearms:
            line = f.line
            h.add_firearm(
                app,
                production,
                "P01",
                serial=f.serial,
                make=f.make,
                model=f.model,
                action=f.action,
                calibre=f.calibre,
                capacity=f.capacity,
                kind=f.kind,
                owner=f.owner,
                store=f.store,
            )
        for lot in s.ammunition:
            line = lot.line
            h.receive_ammunition(
                app,
                production,
                "P01",
                ammo_class=lot.ammo_class,
                calibre=lot.calibre,
                count=lot.count,
                supplier=lot.supplier,
                provenance=lot.provenance,
                store=lot.store,
                load=lot.load,
                close_range=lot.close_range,
                pin=head,
            )
    except Refusal as exc:
        raise ScenarioError(s.path, line, f"the setup is refused: {exc.line()}") from exc
