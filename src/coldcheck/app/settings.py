"""One typed settings object, read at the edge (CLI entry), never at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coldcheck.ledger.keys import INTERACTIVE, TEST_ONLY_MINIMUM, KdfCost

DEFAULT_DB = "coldcheck.db"


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Where the store is, how durable it is, and how PINs are stretched.

    Precedence: explicit argument (``--db``) > environment (``COLDCHECK_DB``) > default.
    """

    db: Path
    node_key: Path
    sqlite_synchronous: str = "FULL"
    kdf: KdfCost = INTERACTIVE

    @classmethod
    def load(cls, db: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        path = Path(db or env.get("COLDCHECK_DB") or DEFAULT_DB)
        node_key = Path(env.get("COLDCHECK_NODE_KEY") or f"{path}.node-key")
        synchronous = env.get("COLDCHECK_SQLITE_SYNCHRONOUS", "FULL").upper()
        # The minimum argon2id cost exists for the test suite only; it is never a default.
        fast = env.get("COLDCHECK_INSECURE_TEST_KDF") == "1"
        return cls(
            db=path,
            node_key=node_key,
            sqlite_synchronous=synchronous,
            kdf=TEST_ONLY_MINIMUM if fast else INTERACTIVE,
        )
