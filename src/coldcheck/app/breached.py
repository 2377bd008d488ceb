"""Passwords known from data breaches (ASVS 6.2.4, 6.2.12), checked offline.

The list is the one the zxcvbn package (pinned in pyproject.toml) ships as its ``passwords``
frequency list: the 30,000 most frequent passwords of Mark Burnett's corpus of ten million
leaked passwords (the "Xato" corpus), lower case, in order of frequency. zxcvbn's build leaves
out of it a password that ranks higher in one of its other lists (English words, names,
surnames), which is why coldcheck keeps its own common words beside it
(``coldcheck.app.accounts``). A set node is often offline, so nothing is looked up over the
network.

The list is read once per process, on the first password check (creating an account,
changing or resetting a password), never at import and never at sign-in: ``frequency_lists.py``
is run on its own, without importing the ``zxcvbn`` package (whose ``__init__`` builds ranked
dictionaries of every list, about 12 MB), and only a frozenset of the 30,000 passwords is kept
(about 3 MB; reading takes about a tenth of a second).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from coldcheck.store.port import StoreError

LIST_NAME = "passwords"  # zxcvbn's list of passwords from the breach corpus


def _frequency_lists_path() -> Path:
    spec = importlib.util.find_spec("zxcvbn")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise StoreError(
            "the list of breached passwords (the zxcvbn package) is not installed; "
            "reinstall coldcheck with its dependencies"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "frequency_lists.py"


@cache
def breached_passwords() -> frozenset[str]:
    """The breached passwords, casefolded; read on first use, then kept."""
    path = _frequency_lists_path()
    spec = importlib.util.spec_from_file_location("coldcheck_zxcvbn_frequency_lists", path)
    if spec is None or spec.loader is None:
        raise StoreError(f"the list of breached passwords cannot be read from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the pinned package's own data module, not registered
    lists: dict[str, list[str]] = module.FREQUENCY_LISTS
    return frozenset(password.casefold() for password in lists[LIST_NAME])


def is_breached(text: str) -> bool:
    """Whether ``text`` (already casefolded) is one of the breached passwords."""
    return text in breached_passwords()
