"""coldcheck scenario run FILE...: replay scenario files against throwaway productions.

Exit codes: 0 every expectation holds (and every ledger verifies), 1 an expectation failed
(named), 2 a file is invalid (nothing is run) or its setup is refused, 70 an internal error.
"""

from __future__ import annotations

from json import dumps
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from coldcheck.cli.common import JsonOpt
from coldcheck.scenario import report, runner
from coldcheck.scenario.loader import load
from coldcheck.scenario.model import ScenarioError

app = typer.Typer(
    help="Replay scenario files: simulated shoot days, each step checked against what was "
    "expected. Every run uses a throwaway ledger, never a production record.",
    no_args_is_help=True,
)

FilesArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario files (YAML); see docs/scenarios.md.", show_default=False),
]


@app.command("run")
def run(files: FilesArg, json: JsonOpt = False) -> None:
    """Play each scenario file on a fresh, throwaway production and report every step.

    All files are checked first; an invalid one (exit 2) stops everything before anything
    runs. Exit 0 when every expectation holds, 1 when one fails."""
    try:
        scenarios = [load(path) for path in files]
    except ScenarioError as exc:
        _stop(exc, json, [])
    results: list[runner.FileResult] = []
    for scenario in scenarios:
        try:
            result = runner.run(scenario)
        except ScenarioError as exc:  # the setup was refused
            _stop(exc, json, results)
        except runner.StepCrashed as exc:
            _crash(exc, json)
        results.append(result)
        if not json:
            typer.echo(report.text(result) + "\n")
    failed = [r for r in results if not r.ok]
    code = 1 if failed else 0
    if json:
        typer.echo(dumps(_payload(code, results), indent=2, ensure_ascii=False))
    elif len(results) > 1:
        names = ", ".join(r.scenario.path.name for r in failed)
        verdict = f"FAILED in {names}" if failed else "all expectations hold"
        typer.echo(f"{len(results)} scenarios run: {verdict}.")
    raise typer.Exit(code)


def _payload(code: int, results: list[runner.FileResult], **more: Any) -> dict[str, Any]:
    return {
        "ok": code == 0,
        "exit_code": code,
        "files": [report.to_json(r) for r in results],
        **more,
    }


def _stop(exc: ScenarioError, as_json: bool, done: list[runner.FileResult]) -> NoReturn:
    if as_json:
        typer.echo(dumps(_payload(2, done, error=exc.to_json()), indent=2, ensure_ascii=False))
    else:
        typer.echo(f"coldcheck: {exc}", err=True)
    raise typer.Exit(2)


def _crash(exc: runner.StepCrashed, as_json: bool) -> NoReturn:
    line = f"{exc}; nothing was recorded outside the simulation. Please report this."
    if as_json:
        typer.echo(dumps({"error": {"kind": "internal-error", "line": line}}, indent=2))
    else:
        typer.echo(f"coldcheck: {line}", err=True)
    raise typer.Exit(70)
