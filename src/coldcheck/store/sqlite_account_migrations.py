"""Upgrading an accounts schema in place: version 1 (the first release) to version 2.

Version 2 adds temporary passwords (``accounts.temporary_until``), a public id, the client
address and the browser of each session (``sessions.public_id``, ``client``, ``agent``), new
sign-in event kinds, and whatever tables ``_SCHEMA`` lists that a version-1 file lacks (those of
the second factor). ``SqliteAccountStore`` runs ``upgrade_v1`` inside one ``BEGIN IMMEDIATE``
transaction, after reading the version again under the write lock, so that two workers opening
the same old file upgrade it once; any failure rolls the whole upgrade back and leaves a
version-1 file.

Every statement is a constant: no SQL is built from strings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

# ``auth_events.kind`` is checked against a list of kinds, which version 2 extends; SQLite
# cannot change a CHECK, so the table is rebuilt. Its index and triggers are dropped first (their
# names would otherwise stay with the renamed table, and ``CREATE ... IF NOT EXISTS`` would then
# skip the new table's); the new table, index and triggers come from ``_SCHEMA``.
_SET_ASIDE_THE_SIGN_IN_LOG = (
    "DROP TRIGGER auth_events_no_update",
    "DROP TRIGGER auth_events_no_delete",
    "DROP INDEX auth_events_by_username",
    "ALTER TABLE auth_events RENAME TO auth_events_v1",
)
_NEW_COLUMNS = (
    "ALTER TABLE accounts ADD COLUMN temporary_until TEXT",
    "ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT ''",
)
_FILL_IN = (
    # Every event, with its seq, in its order: the log stays append-only and complete.
    "INSERT INTO auth_events (seq, time, kind, username, account, client)"
    " SELECT seq, time, kind, username, account, client FROM auth_events_v1 ORDER BY seq",
    "DROP TABLE auth_events_v1",
    # Sessions opened before the upgrade get a public id too (SQLite's randomblob is its own
    # CSPRNG; the id names a session, it does not authenticate anyone). Their client and browser
    # were never recorded and stay empty.
    "UPDATE sessions SET public_id = lower(hex(randomblob(8))) WHERE public_id = ''",
)


def upgrade_v1(db: sqlite3.Connection, schema: Sequence[str]) -> None:
    """Turn a version-1 accounts schema into version 2 (the caller holds the transaction and
    sets the version). ``schema`` is the adapter's ``_SCHEMA`` without its final INSERT."""
    for statement in _SET_ASIDE_THE_SIGN_IN_LOG:
        db.execute(statement)
    for statement in schema:  # the tables first: a new auth_events, and any new table
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            db.execute(statement)
    for statement in _NEW_COLUMNS:
        db.execute(statement)
    for statement in _FILL_IN:
        db.execute(statement)
    for statement in schema:  # then the indexes and triggers (the tables again: no-ops)
        db.execute(statement)
