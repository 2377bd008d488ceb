"""Sessions as their owner and the node's operator see them: listing and ending them.

- A signed-in person sees their live sessions (when each signed in, when it was last used, from
  which address and browser, which one is this one) and ends one or all of the others (ASVS
  7.5.2). Ending another session asks for the password again ("having authenticated again with
  at least one factor"): whoever picked up a phone that is still signed in cannot throw its
  owner's other devices out. A wrong password counts toward the username's lockout.
- The node's operator ends every session of one account, or of every account at once, after a
  tablet is lost or stolen or during an incident (7.4.5), from the command line on the node.

Each ending is in the sign-in log as ``sessions_ended``; sessions are named by their public id,
never by their token's hash.
"""

from __future__ import annotations

from coldcheck.app.accounts import Accounts, token_hash
from coldcheck.domain.errors import InvalidInput, NotFound
from coldcheck.store.accounts import AuthEventKind, Session

EVERYONE = "*"  # the username the sign-in log shows when every account's sessions were ended


def live(accounts: Accounts, account: str) -> list[Session]:
    """The account's sessions that are neither ended nor lapsed, newest sign-in first."""
    now = accounts.clock()
    return [
        s
        for s in accounts.store.sessions_of(account)
        if now < s.idle_expires and now < s.absolute_expires
    ]


def current_id(accounts: Accounts, token: str | None) -> str:
    """The public id of the session a cookie's token belongs to ("" if none)."""
    if not token:
        return ""
    found = accounts.store.session(token_hash(token))
    return found.id if found is not None else ""


def end_one(
    accounts: Accounts,
    account: str,
    session_id: str,
    password: str,
    *,
    current_token: str,
    client: str,
) -> None:
    """End one of the account's other sessions, after the password is typed again."""
    if session_id and session_id == current_id(accounts, current_token):
        raise InvalidInput(
            "That is the session you are using now.", "Use Sign out to end this session."
        )
    found = accounts.reauthenticate(account, password, client=client)
    target = next((s for s in live(accounts, account) if s.id == session_id), None)
    if target is None:
        raise NotFound(
            "There is no such session of yours; it may have ended already.",
            "Reload the list of your sessions.",
        )
    if accounts.store.end_session(target.token_hash):
        accounts.record(found, AuthEventKind.SESSIONS_ENDED, client=client)


def end_others(
    accounts: Accounts, account: str, password: str, *, current_token: str, client: str
) -> int:
    """End every other session of the account, after the password is typed again; how many."""
    found = accounts.reauthenticate(account, password, client=client)
    ended = accounts.store.end_sessions_of(found.id, keep=token_hash(current_token))
    if ended:
        accounts.record(found, AuthEventKind.SESSIONS_ENDED, client=client)
    return ended


def end_all_of(accounts: Accounts, username: str, *, client: str = "") -> int:
    """The operator ends every session of one account (found by username); how many."""
    found = accounts.store.account_by_username(username.strip().casefold())
    if found is None:
        raise NotFound(
            f"There is no account {username!r}.", "See the usernames in 'coldcheck account events'."
        )
    ended = accounts.store.end_sessions_of(found.id)
    accounts.record(found, AuthEventKind.SESSIONS_ENDED, client=client)
    return ended


def end_everyones(accounts: Accounts, *, client: str = "") -> int:
    """The operator ends every live session of every account (a lost tablet, an incident)."""
    ended = accounts.store.end_all_sessions()
    accounts.store.record_event(
        time=accounts.clock(),
        kind=AuthEventKind.SESSIONS_ENDED,
        username=EVERYONE,
        account=None,
        client=client,
    )
    return ended
