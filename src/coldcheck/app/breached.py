"""Passwords known from data breaches (ASVS 6.2.4, 6.2.12), checked offline.

The list is the one the zxcvbn package (pinned in pyproject.toml) ships as its ``passwords``
frequency list: the 30,000 most frequent passwords of Mark Burnett's corpus of ten million
leaked passwords (the "Xato" corpus), lower case, in order of frequency. zxcvbn's build leaves
out of it a password that ranks higher in one of its other lists (English words, names,
surnames), which is why coldcheck keeps its own common words beside it
(``coldcheck.app.accounts``). A set node is often offline, so nothing is looked up over the
network.

Beside it, coldcheck refuses a password whose letters (its "core", with digits and symbols
at the ends removed and letter swaps undone) are a single word or name of zxcvbn's other
lists (``sweetheart12``, ``elizabeth123``), or two common parts run together
(``iloveyoubaby``, ``manchesterunited``): mangling rules and word pairs are what cracking tools
try right after the leaked passwords themselves.

The lists are read once per process, on the first password check (creating an account,
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
# zxcvbn's other lists: a password its build moved there ranked higher as a word or a name
WORD_LISTS = ("english_wikipedia", "us_tv_and_film", "female_names", "male_names", "surnames")
COMMON = 5_000  # the most frequent words of each word list, for two-word compounds


def _frequency_lists_path() -> Path:
    spec = importlib.util.find_spec("zxcvbn")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise StoreError(
            "the list of breached passwords (the zxcvbn package) is not installed; "
            "reinstall coldcheck with its dependencies"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "frequency_lists.py"


@cache
def _lists() -> dict[str, list[str]]:
    path = _frequency_lists_path()
    spec = importlib.util.spec_from_file_location("coldcheck_zxcvbn_frequency_lists", path)
    if spec is None or spec.loader is None:
        raise StoreError(f"the list of breached passwords cannot be read from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the pinned package's own data module, not registered
    lists: dict[str, list[str]] = module.FREQUENCY_LISTS
    return lists


@cache
def breached_passwords() -> frozenset[str]:
    """The breached passwords, casefolded; read on first use, then kept."""
    return frozenset(password.casefold() for password in _lists()[LIST_NAME])


@cache
def dictionary_words() -> frozenset[str]:
    """Every word and name of zxcvbn's other lists (3 letters or more), casefolded."""
    lists = _lists()
    return frozenset(w.casefold() for name in WORD_LISTS for w in lists[name] if len(w) >= 3)


@cache
def _common_parts() -> frozenset[str]:
    """What a two-part compound is built from: the breached passwords, every name, and the
    COMMON most frequent words of each word list."""
    lists = _lists()
    parts = set(breached_passwords())
    for name in WORD_LISTS:
        words = lists[name] if name.endswith(("names", "surnames")) else lists[name][:COMMON]
        parts.update(w.casefold() for w in words)
    return frozenset(p for p in parts if len(p) >= 3)


def is_breached(text: str) -> bool:
    """Whether ``text`` (already casefolded) is one of the breached passwords."""
    return text in breached_passwords()


def is_dictionary_word(core: str) -> bool:
    """Whether the letters of a password (``core``) are a single word or name."""
    return core in dictionary_words()


def is_compound(core: str) -> bool:
    """Whether the letters of a password are two common parts run together: two breached
    passwords, names or very common words (iloveyoubaby, manchesterunited)."""
    parts = _common_parts()
    return any(core[:i] in parts and core[i:] in parts for i in range(3, len(core) - 2))
