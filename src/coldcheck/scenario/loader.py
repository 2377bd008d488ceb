"""Loading a scenario file: the whole file is checked before anything runs.

Unknown keys, unknown actions, missing or ill-typed arguments, unknown people and stores, a
malformed expectation and bad YAML each stop the load with one sentence naming the file and
the line. Firearm references are left to the run: a firearm nobody registered is refused
there under R-04, which a scenario may want to show.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from yaml.nodes import Node

from coldcheck.domain import values as v
from coldcheck.scenario.model import (
    CastMember,
    FirearmSpec,
    LotSpec,
    Scenario,
    ScenarioError,
    StoreSpec,
)
from coldcheck.scenario.reader import Fields, Reader, compose, line_of
from coldcheck.scenario.steps import Names, StepReader

DEFAULT_START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TOP_REQUIRED = ("name", "description", "cast", "stores", "firearms", "steps")
TOP_OPTIONAL = ("start", "ammunition")


def load(path: Path) -> Scenario:
    """Read and check one scenario file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, 0, f"cannot read the file ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, 0, "the file is not UTF-8 text.") from None
    return parse(text, path)


def parse(text: str, path: Path | str = "<scenario>") -> Scenario:
    """Check a scenario's text; ``path`` names it in errors."""
    root = compose(text, path)
    r = Reader(path)
    top = r.fields(root, "the scenario", TOP_REQUIRED, TOP_OPTIONAL)
    cast = _cast(r, top["cast"][1])
    stores = _stores(r, top["stores"][1])
    names = Names.of(cast, stores, r)
    firearms = tuple(_firearm(r, n, names) for n in r.items(top["firearms"][1], "firearms"))
    ammunition = (
        tuple(_lot(r, n, names) for n in r.items(top["ammunition"][1], "ammunition"))
        if "ammunition" in top
        else ()
    )
    step_nodes = r.items(top["steps"][1], "steps", scalar_ok=False)
    if not step_nodes:
        r.fail(top["steps"][1], "a scenario needs at least one step.")
    steps = StepReader(r, names)
    return Scenario(
        path=Path(path),
        name=_text(r, top["name"][1], "name", 120),
        description=" ".join(r.text(top["description"][1], "description").split()),
        start=_start(r, top["start"][1]) if "start" in top else DEFAULT_START,
        cast=cast,
        stores=stores,
        firearms=firearms,
        ammunition=ammunition,
        steps=tuple(steps.step(i, n) for i, n in enumerate(step_nodes, 1)),
    )


def _text(r: Reader, node: Node, what: str, longest: int) -> str:
    """One line of text, as long as the production's records allow."""
    return r.checked(node, lambda: v.text(r.text(node, what), what, longest))


def _start(r: Reader, node: Node) -> datetime:
    raw = r.text(node, "start")
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        r.fail(node, f"start '{raw}' is not a time; write it as 2026-03-02T07:00:00Z.")
    if moment.tzinfo is None:
        r.fail(node, f"start '{raw}' has no time zone; write it in UTC, 2026-03-02T07:00:00Z.")
    return moment.astimezone(UTC)


def _cast(r: Reader, node: Node) -> tuple[CastMember, ...]:
    members = tuple(_member(r, n) for n in r.items(node, "cast", scalar_ok=False))
    seen: set[str] = set()
    for member in members:
        if member.name.casefold() in seen:
            raise ScenarioError(r.path, member.line, f"{member.name} is in the cast twice.")
        seen.add(member.name.casefold())
    heads = [m for m in members if m.head_armorer]
    if len(heads) != 1:
        r.fail(
            node,
            "the cast needs exactly one head armorer (head_armorer: yes): the head armorer "
            "opens the production, registers the people and the firearms.",
        )
    return members


def _member(r: Reader, node: Node) -> CastMember:
    f = r.fields(node, "a cast member", ("name", "roles"), ("head_armorer", "permit"))
    name = _text(r, f["name"][1], "name", 120)
    roles = frozenset(r.choice(n, v.Role, "role") for n in r.items(f["roles"][1], "roles"))
    if not roles:
        r.fail(f["roles"][1], f"{name} needs at least one role.")
    head = r.flag(f["head_armorer"][1], "head_armorer") if "head_armorer" in f else False
    if (head or "permit" in f) and v.Role.ARMORER not in roles:
        r.fail(node, f"{name} has a permit or is head armorer, so needs the role armorer.")
    permit = _permit(r, f["permit"][1]) if "permit" in f else None
    return CastMember(name=name, roles=roles, line=line_of(node), head_armorer=head, permit=permit)


def _permit(r: Reader, node: Node) -> v.Permit:
    f = r.fields(node, "a permit", ("number", "authority", "expires"))
    return v.Permit(
        number=r.text(f["number"][1], "permit number"),
        authority=r.text(f["authority"][1], "permit authority"),
        expires=r.day(f["expires"][1], "permit expiry"),
    )


def _stores(r: Reader, node: Node) -> tuple[StoreSpec, ...]:
    stores: list[StoreSpec] = []
    for item in r.items(node, "stores", scalar_ok=False):
        f = r.fields(item, "a store", ("name", "kind"), ("locked",))
        name = _text(r, f["name"][1], "store name", 60)
        if any(s.name.casefold() == name.casefold() for s in stores):
            r.fail(item, f"there are two stores named {name}.")
        stores.append(
            StoreSpec(
                name=name,
                kind=r.choice(f["kind"][1], v.StoreKind, "store kind"),
                locked=r.flag(f["locked"][1], "locked") if "locked" in f else True,
                line=line_of(item),
            )
        )
    return tuple(stores)


FIREARM_KEYS = ("serial", "make", "model", "action", "calibre", "capacity", "kind", "owner")


def _firearm(r: Reader, node: Node, names: Names) -> FirearmSpec:
    f = r.fields(node, "a firearm", (*FIREARM_KEYS, "store"))
    capacity = f["capacity"][1]
    return FirearmSpec(
        serial=r.checked(f["serial"][1], lambda: v.serial(r.text(f["serial"][1], "serial"))),
        make=_text(r, f["make"][1], "make", 60),
        model=_text(r, f["model"][1], "model", 60),
        action=r.choice(f["action"][1], v.Action, "action"),
        calibre=_calibre(r, f),
        capacity=r.checked(capacity, lambda: v.Capacity.parse(r.text(capacity, "capacity"))),
        kind=r.choice(f["kind"][1], v.FirearmKind, "firearm kind"),
        owner=_text(r, f["owner"][1], "owner", 120),
        store=names.store(f["store"][1]),
        line=line_of(node),
    )


def _calibre(r: Reader, f: Fields) -> str:
    node = f["calibre"][1]
    return r.checked(node, lambda: v.calibre(r.text(node, "calibre")))


def _lot(r: Reader, node: Node, names: Names) -> LotSpec:
    f = r.fields(
        node,
        "an ammunition lot",
        ("class", "calibre", "count", "supplier", "provenance", "store"),
        ("load", "close_range"),
    )
    ammo_class = r.choice(f["class"][1], v.AmmoClass, "class")
    if ammo_class is v.AmmoClass.LIVE:
        r.fail(
            f["class"][1],
            "live rounds are never part of a set's inventory (R-01); to show the refusal, "
            "use a receive-ammo step with expect: refused R-01.",
        )
    load = r.choice(f["load"][1], v.BlankLoad, "load") if "load" in f else None
    if (ammo_class is v.AmmoClass.BLANK) != (load is not None):
        r.fail(node, "blanks need their load (quarter, half, three_quarter, full); dummies none.")
    return LotSpec(
        ammo_class=ammo_class,
        calibre=_calibre(r, f),
        count=r.number(f["count"][1], "count"),
        supplier=r.text(f["supplier"][1], "supplier"),
        provenance=r.text(f["provenance"][1], "provenance"),
        store=names.store(f["store"][1]),
        load=load,
        close_range=r.flag(f["close_range"][1], "close_range") if "close_range" in f else False,
        line=line_of(node),
    )
