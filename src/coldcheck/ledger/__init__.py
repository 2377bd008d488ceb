"""The tamper-evident ledger: entry format, hash chain, Merkle tree, signed checkpoints, keys.

The format is specified in docs/ledger.md; this package is the reference implementation.
It imports the standard library, rfc8785 and PyNaCl only, and nothing else from coldcheck.
"""
