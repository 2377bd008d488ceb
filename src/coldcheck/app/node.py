"""The node's identity: its name and the Ed25519 key that signs checkpoints.

The key is kept in a file beside the store (``<db>.node-key``, mode 0600), in the C2SP
private-key text form. Whoever can read that file can sign checkpoints for this node: keep
it off shared drives and back it up with the store (docs/ledger.md, threat model).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import nacl.signing

from coldcheck.ledger.errors import NoteError
from coldcheck.ledger.note import NoteSigner


class NodeKeyError(Exception):
    """The node key file is missing or damaged; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    signer: NoteSigner

    @property
    def verifier_key(self) -> str:
        return self.signer.verifier_key()


def load_node(path: Path) -> Node:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise NodeKeyError(
            f"there is no node key at {path}; run 'coldcheck init' "
            "or set COLDCHECK_NODE_KEY to the node key file"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NodeKeyError(f"the node key at {path} cannot be read ({exc})") from exc
    try:
        signer = NoteSigner.from_private_key_string(text)
    except NoteError as exc:
        raise NodeKeyError(f"the node key at {path} is damaged: {exc}") from exc
    return Node(name=signer.name, signer=signer)


def load_or_create_node(path: Path) -> Node:
    if path.exists():
        return load_node(path)
    name = f"coldcheck-node-{secrets.token_hex(4)}"
    signer = NoteSigner(name, nacl.signing.SigningKey.generate())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(signer.private_key_string() + "\n")
        handle.flush()
        os.fsync(handle.fileno())  # the ledger will name this key: it must survive a power cut
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return Node(name=name, signer=signer)
