"""Schemathesis against the app's own /openapi.json: every operation, fuzzed.

Signed in (the session cookie, and the CSRF header on every unsafe method) the API must never
answer 5xx, and every answer must be one the document declares: its status code, its content
type and its schema. Signed out, every operation that needs a session must answer 401.

Generated path parameters are mostly nonsense; a hook swaps in, often enough, the production
the account belongs to and a real view or action, so that the fuzzing reaches the handlers
(and, for actions, the domain) instead of stopping at 404.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from coldcheck.app.accounts import Accounts
from coldcheck.app.actions import ACTIONS, Kind
from coldcheck.app.settings import Settings
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.api import VIEWS
from coldcheck.web.app import create_app
from coldcheck.web.auth import COOKIE, CSRF_HEADER
from tests.conftest import PINS, PRODUCTION, make_app, seed

PASSWORD = "saddle brass lantern"
EXAMPLES = 20
ACTION_EXAMPLES = 300
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {("GET", "/api/health"), ("GET", "/api/rules"), ("POST", "/api/session")}
CHECKS = [
    not_a_server_error,
    ignored_auth,
    status_code_conformance,
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
]


class Session:
    def __init__(self, token: str, csrf: str) -> None:
        self.token = token
        self.csrf = csrf


# Schemathesis reads the document when the module is collected, so the app exists from then
# on; its store is created and seeded by the ``store`` fixture before the first request.
# (Loading the schema from a fixture, schemathesis.pytest.from_fixture, fails on pytest 9.)
_DIR = Path(tempfile.mkdtemp(prefix="coldcheck-fuzz-"))
_DB = _DIR / "set.db"
APP = create_app(Settings.load(str(_DB), env={"COLDCHECK_INSECURE_TEST_KDF": "1"}))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Often the account's own production, and a real view or action."""
    if not path_parameters or "production" not in path_parameters:
        return st.just(path_parameters)
    real = dict(path_parameters, production=PRODUCTION)
    if "view" in real:
        chosen = st.sampled_from(VIEWS).map(lambda v: dict(real, view=v))
    elif "action" in real:
        chosen = st.sampled_from(sorted(ACTIONS)).map(lambda a: dict(real, action=a))
    else:
        chosen = st.just(real)
    return st.one_of(st.just(path_parameters), st.just(real), chosen)


_TEXT = st.text(max_size=30)
_KINDS: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.TEXT: st.one_of(st.sampled_from(["12A", "A01", "I01", "C01", "R01", ".45 Colt"]), _TEXT),
    Kind.NUMBER: st.integers(min_value=0, max_value=20),
    Kind.FLAG: st.booleans(),
    Kind.TEXTS: st.lists(st.sampled_from(["Main safe", "P02", "A01", "goggles"]), max_size=3),
    Kind.PERSON: st.sampled_from(["P01", "P02", "P03", "P04", "Jack Colt", "P99"]),
    Kind.PEOPLE: st.lists(st.sampled_from(["P01", "P02", "P03", "P04"]), max_size=4),
    Kind.STORE: st.sampled_from(["S01", "Main safe", "S09"]),
    Kind.FIREARM: st.sampled_from(["F01", "F02", "UB-1873-001", "F99"]),
    Kind.FIREARMS: st.lists(st.sampled_from(["F01", "F02"]), max_size=2),
    Kind.POSITIONS: st.lists(
        st.sampled_from(["empty", "empty x6", "blank:A01 x6", "dummy:A01", "live", "spent"]),
        max_size=6,
    ),
    Kind.PLAN: st.lists(
        st.sampled_from(["F01:empty", "F01:blank:6:half", "F02:dummy:15", "F01:live:1"]),
        min_size=1,
        max_size=2,
    ),
    Kind.DATE: st.dates().map(lambda d: d.isoformat()),
}


def _plausible_args(action: str) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments of the action's own kinds, with this production's ids (mostly)."""
    spec = ACTIONS[action]
    fields = {}
    for arg in spec.args:
        if arg.kind is Kind.CHOICE:
            value: st.SearchStrategy[Any] = st.sampled_from(arg.choices or ("x",))
        elif arg.kind is Kind.CHOICES:
            value = st.lists(st.sampled_from(arg.choices), max_size=3)
        else:
            value = _KINDS[arg.kind]
        fields[arg.name] = value if arg.required else st.one_of(st.none(), value)
    return st.fixed_dictionaries(fields).map(
        lambda args: {k: v for k, v in args.items() if v is not None}
    )


@schema.hook
def flatmap_case(context: Any, case: Any) -> Any:
    """For an action of this production, often a body that reaches the domain: arguments of
    the right kinds, and the armorer's PIN (or a wrong one)."""
    action = (case.path_parameters or {}).get("action")
    if case.path_parameters.get("production") != PRODUCTION or action not in ACTIONS:
        return st.just(case)

    def with_body(body: dict[str, Any]) -> Any:
        case.body = body
        return case

    body = st.fixed_dictionaries(
        {"args": _plausible_args(action), "pin": st.sampled_from([PINS["P01"], "000000"])}
    )
    return st.one_of(st.just(case), body.map(with_body))


@pytest.fixture(scope="module")
def store() -> Iterator[Accounts]:
    app = make_app(_DB)
    try:
        seed(app)
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(_DB, create=True))
    hannah = accounts.create_account("hannah", "Hannah Reed", PASSWORD)
    accounts.link(hannah.id, PRODUCTION, "P01")
    yield accounts
    accounts.store.close()
    shutil.rmtree(_DIR, ignore_errors=True)


@pytest.fixture
def session(store: Accounts) -> Session:
    """A fresh session per operation (the fuzzing may well sign itself out). Opened past the
    password step: the fuzzing types wrong passwords into the password change and the ending
    of sessions, and those count toward the username's lockout, as they should."""
    hannah = store.store.account_by_username("hannah")
    assert hannah is not None
    tokens = store.open_session(hannah, client="testclient")
    return Session(tokens.token, tokens.csrf)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_signed_in_the_api_keeps_to_its_document(case: Any, session: Session) -> None:
    headers = {CSRF_HEADER: session.csrf} if case.method.upper() in UNSAFE else {}
    case.call_and_validate(headers=headers, cookies={COOKIE: session.token}, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_signed_out_every_private_operation_answers_401(case: Any, store: Accounts) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if case.method.upper() != case.operation.method.upper():
        assert response.status_code == 405  # schemathesis also probes undeclared methods
        return
    if (case.method.upper(), case.operation.path) in PUBLIC:
        return
    assert response.status_code == 401, (case.method, case.formatted_path, response.text)
    assert response.headers["content-type"][0].startswith("application/problem+json")


@schema.include(path="/api/productions/{production}/actions/{action}").parametrize()
@settings(
    max_examples=ACTION_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_signed_in_commands_of_every_kind_keep_to_the_document(case: Any, session: Session) -> None:
    """More examples for the one operation with the most behind it: the commands."""
    case.call_and_validate(
        headers={CSRF_HEADER: session.csrf}, cookies={COOKIE: session.token}, checks=CHECKS
    )
