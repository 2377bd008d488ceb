"""coldcheck person ...: register people, permits, corrections, personal keys."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from coldcheck.app import handlers, queries
from coldcheck.app.service import App
from coldcheck.cli.common import (
    ByOpt,
    CliError,
    DbOpt,
    JsonOpt,
    NewPinFileOpt,
    PinFileOpt,
    ProdOpt,
    Result,
    read_pin,
    run_command,
    table,
    written,
    your_pin,
)
from coldcheck.domain.values import Permit, Role, choice, text

people_app = typer.Typer(
    help="People of the production, their roles, permits and keys.", no_args_is_help=True
)
key_app = typer.Typer(help="Personal signing keys: create, rotate, revoke.", no_args_is_help=True)
people_app.add_typer(key_app, name="key")

RoleOpt = Annotated[
    list[str],
    typer.Option(
        "--role",
        help="armorer, first_ad, talent, safety_advisor, producer, crew, investigator "
        "(repeat for several)",
    ),
]


def parse_roles(values: list[str]) -> frozenset[Role]:
    if not values:
        raise CliError("give at least one --role")
    return frozenset(choice(Role, v, "role") for v in values)


def parse_permit(number: str | None, authority: str | None, expires: str | None) -> Permit | None:
    given = [number, authority, expires]
    if not any(given):
        return None
    if not all(given):
        raise CliError("a permit needs --permit-number, --permit-authority and --permit-expires")
    try:
        day = date.fromisoformat(str(expires))
    except ValueError:
        raise CliError(f"--permit-expires {expires!r} is not a date like 2027-06-30") from None
    return Permit(
        number=text(str(number), "permit number", 40),
        authority=text(str(authority), "issuing authority", 80),
        expires=day,
    )


PermitNumber = Annotated[str | None, typer.Option("--permit-number", help="Armorer permit no.")]
PermitAuthority = Annotated[
    str | None, typer.Option("--permit-authority", help="Who issued the permit.")
]
PermitExpires = Annotated[
    str | None, typer.Option("--permit-expires", help="Expiry date, YYYY-MM-DD.")
]


@people_app.command("add")
def add(
    by: ByOpt,
    name: Annotated[str, typer.Option(help="Full name.")],
    role: RoleOpt,
    head_armorer: Annotated[bool, typer.Option(help="Designate the head armorer.")] = False,
    permit_number: PermitNumber = None,
    permit_authority: PermitAuthority = None,
    permit_expires: PermitExpires = None,
    new_pin_file: NewPinFileOpt = None,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Register a person; their personal key is sealed under their own new PIN."""

    def action(app: App) -> Result:
        roles = parse_roles(role)
        permit = parse_permit(permit_number, permit_authority, permit_expires)
        mine = your_pin(pin_file)
        pin = read_pin(
            new_pin_file, env="COLDCHECK_NEW_PIN", prompt=f"New PIN for {name}", confirm=True
        )
        done = handlers.add_person(
            app,
            app.production(production),
            by,
            name,
            roles,
            pin,
            head_armorer=head_armorer,
            permit=permit,
            actor_pin=mine,
        )
        person = done.events[0].payload()["person"]
        return written(done, f"Registered {name} as {person}")

    run_command(db, json, action)


@people_app.command("list")
def list_people(production: ProdOpt = None, db: DbOpt = None, json: JsonOpt = False) -> None:
    """Everyone on the production, with roles, permits and key ids."""

    def action(app: App) -> Result:
        rows = queries.people(app.state(app.production(production)))
        lines = [
            [
                r["person"],
                r["name"],
                ", ".join(r["roles"]) + (" (head)" if r["head_armorer"] else ""),
                r["permit"]["number"] + " to " + r["permit"]["expires"] if r["permit"] else "",
                r["key"] or "REVOKED",
            ]
            for r in rows
        ]
        return Result(rows, table(lines, ["ID", "NAME", "ROLES", "PERMIT", "KEY"]))

    run_command(db, json, action)


@people_app.command("permit")
def permit(
    person: Annotated[str, typer.Argument(help="Armorer: id or name.")],
    by: ByOpt,
    permit_number: PermitNumber = None,
    permit_authority: PermitAuthority = None,
    permit_expires: PermitExpires = None,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Record an armorer's permit (number, issuing authority, expiry)."""

    def action(app: App) -> Result:
        parsed = parse_permit(permit_number, permit_authority, permit_expires)
        if parsed is None:
            raise CliError("give --permit-number, --permit-authority and --permit-expires")
        done = handlers.record_permit(
            app, app.production(production), by, person, parsed, actor_pin=your_pin(pin_file)
        )
        return written(done, f"Recorded permit {parsed.number}")

    run_command(db, json, action)


@people_app.command("correct")
def correct(
    person: Annotated[str, typer.Argument(help="Person: id or name.")],
    by: ByOpt,
    name: Annotated[str, typer.Option(help="The correct full name.")],
    reason: Annotated[str, typer.Option(help="Why the entry was wrong.")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Correct a person's name: a new entry pointing at the registration (nothing is edited)."""

    def action(app: App) -> Result:
        done = handlers.correct_person(
            app, app.production(production), by, person, name, reason, actor_pin=your_pin(pin_file)
        )
        return written(done, f"Corrected the name to {name}")

    run_command(db, json, action)


@key_app.command("rotate")
def rotate(
    by: ByOpt,
    pin_file: PinFileOpt = None,
    new_pin_file: NewPinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Replace your key with a new one under a new PIN (signed by both keys)."""

    def action(app: App) -> Result:
        old = read_pin(pin_file, prompt="Current PIN")
        new = read_pin(new_pin_file, env="COLDCHECK_NEW_PIN", prompt="New PIN", confirm=True)
        done = handlers.rotate_key(app, app.production(production), by, old, new)
        return written(done, "Key rotated")

    run_command(db, json, action)


@key_app.command("revoke")
def revoke(
    person: Annotated[str, typer.Argument(help="Whose key: id or name.")],
    by: ByOpt,
    reason: Annotated[str, typer.Option(help="Why (lost device, PIN disclosed...).")],
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Revoke a person's key: their later signatures are invalid until a new key is made."""

    def action(app: App) -> Result:
        done = handlers.revoke_key(
            app, app.production(production), by, person, reason, actor_pin=your_pin(pin_file)
        )
        return written(done, "Key revoked")

    run_command(db, json, action)


@key_app.command("new")
def new(
    person: Annotated[str, typer.Argument(help="Whose key: id or name.")],
    by: ByOpt,
    new_pin_file: NewPinFileOpt = None,
    pin_file: PinFileOpt = None,
    production: ProdOpt = None,
    db: DbOpt = None,
    json: JsonOpt = False,
) -> None:
    """Create a new key for a person whose key was revoked."""

    def action(app: App) -> Result:
        pin = read_pin(new_pin_file, env="COLDCHECK_NEW_PIN", prompt="New PIN", confirm=True)
        done = handlers.new_key(
            app, app.production(production), by, person, pin, actor_pin=your_pin(pin_file)
        )
        return written(done, "New key created")

    run_command(db, json, action)
