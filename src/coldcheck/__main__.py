"""``python -m coldcheck`` runs the CLI."""

from coldcheck.cli.main import run

run()
