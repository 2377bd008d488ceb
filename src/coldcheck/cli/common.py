"""What every command shares: --db, --json, --production, --by, PIN input, output, errors.

Errors are translated here, once: a refusal or bad input becomes one line on stderr (or a JSON
object on stdout with --json) and a non-zero exit. Exit codes:

    0 done   1 verification failed   2 bad input or unusable store   3 refused by a rule
    4 not found   70 internal error (a bug: please report it)
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from coldcheck.app.node import NodeKeyError
from coldcheck.app.service import App, bootstrap
from coldcheck.app.settings import Settings
from coldcheck.domain.errors import InvalidInput, NotFound, Refusal
from coldcheck.ledger.errors import LedgerError, VerificationError
from coldcheck.store.port import StoreError

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store to use: an SQLite file path. Default: $COLDCHECK_DB, else ./coldcheck.db",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ProdOpt = Annotated[
    str | None,
    typer.Option(
        "--production", "-p", help="Production id (needed only when the store holds several)."
    ),
]
ByOpt = Annotated[
    str,
    typer.Option("--by", help="Who is doing this: person id (P01) or full name. Never anonymous."),
]
PinFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--pin-file",
        help="Read the PIN from this file's first line (for scripts). "
        "Otherwise $COLDCHECK_PIN, otherwise you are asked.",
        show_default=False,
    ),
]
NewPinFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--new-pin-file",
        help="Read the new PIN from this file's first line. "
        "Otherwise $COLDCHECK_NEW_PIN, otherwise you are asked twice.",
        show_default=False,
    ),
]


@dataclass(frozen=True, slots=True)
class Result:
    """What a command prints: ``data`` for --json, ``text`` for people."""

    data: Any
    text: str


class CliError(Exception):
    """Bad command-line input the parser could not catch; one sentence."""


def run_command(
    db: str | None,
    as_json: bool,
    action: Callable[[App], Result],
    *,
    create: bool = False,
    before: Callable[[], None] | None = None,
) -> None:
    """Open the store, run ``action``, print its result; translate every error once.

    ``before`` checks the input before the store is opened (or created), so that bad input
    leaves no file behind."""
    app: App | None = None
    try:
        if before is not None:
            before()
        app = bootstrap(Settings.load(db), create=create)
        result = action(app)
    except Exception as exc:
        _fail(exc, as_json)
    finally:
        if app is not None:
            app.close()
    if as_json:
        typer.echo(json.dumps(result.data, indent=2, ensure_ascii=False))
    elif result.text:
        typer.echo(result.text)


def _fail(exc: Exception, as_json: bool) -> NoReturn:
    code, payload = _describe(exc)
    if as_json:
        typer.echo(json.dumps({"error": payload}, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"coldcheck: {payload['line']}", err=True)
    raise typer.Exit(code)


def _describe(exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, Refusal):
        code = 2 if isinstance(exc, InvalidInput) else 4 if isinstance(exc, NotFound) else 3
        return code, {**exc.to_json(), "line": exc.line()}
    if isinstance(exc, VerificationError):
        return 1, {
            "kind": "verification-failed",
            "position": exc.position,
            "reason": exc.reason,
            "line": f"verification FAILED at {exc}",
        }
    if isinstance(exc, StoreError | NodeKeyError | CliError | LedgerError):
        return 2, {"kind": "invalid-input", "line": str(exc)}
    return 70, {
        "kind": "internal-error",
        "line": f"internal error ({type(exc).__name__}: {exc}); nothing more was "
        "written. Please report this.",
    }


def read_pin(
    pin_file: Path | None, *, env: str = "COLDCHECK_PIN", prompt: str = "PIN", confirm: bool = False
) -> str:
    """A PIN from a file, the environment, or the terminal; never from an argument."""
    if pin_file is not None:
        try:
            lines = pin_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise CliError(f"cannot read the PIN file {pin_file}: {exc.strerror}") from exc
        except UnicodeDecodeError:
            raise CliError(f"the PIN file {pin_file} is not UTF-8 text") from None
        if not lines:
            raise CliError(f"the PIN file {pin_file} is empty")
        return lines[0]
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"{prompt} is needed: give --pin-file, set ${env}, or run in a terminal")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"{prompt} again: ") != first:
        raise CliError("the two PINs differ; nothing was written")
    return first


def your_pin(pin_file: Path | None) -> str:
    """The acting person's own PIN, for the entries they sign."""
    return read_pin(pin_file, prompt="Your PIN")


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table that reads on a phone-width terminal as well as a wide one."""
    if not rows:
        return "(none)"
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def written(appended: Any, what: str) -> Result:
    """The standard answer to a command that wrote entries."""
    seqs = (
        f"entry {appended.first_seq}"
        if appended.first_seq == appended.last_seq
        else f"entries {appended.first_seq}-{appended.last_seq}"
    )
    data = {
        "ok": True,
        "message": what,
        "first_seq": appended.first_seq,
        "last_seq": appended.last_seq,
        "time": appended.time,
        "events": [{"type": e.TYPE, **e.payload()} for e in appended.events],
    }
    return Result(data=data, text=f"{what} ({seqs}, {appended.time})")
