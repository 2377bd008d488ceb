"""Guessable passwords refused at creation, change and reset (ASVS 6.2.4, 6.2.12): leaked
passwords from zxcvbn's breach list, and the shapes cracking tools try right after them."""

from __future__ import annotations

import pytest

from coldcheck.app.accounts import check_password
from coldcheck.app.breached import breached_passwords, dictionary_words, is_compound
from coldcheck.domain.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    [
        "sweetheart12",  # a word zxcvbn moved out of its password list, digits added
        "elizabeth123",  # a name
        "International1",  # a single English word, 13 letters
        "manchesterunited",  # two parts of the lists run together
        "iloveyoubaby",
        "yellow banana!",
        "Sup3rman2024!",  # letter swaps undone: superman
    ],
)
def test_a_word_a_name_or_two_common_parts_with_decorations_are_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password, username="ann", display_name="Ann Marsh")
    reasons = ("too easy to guess", "leaked in data breaches", "a single word or name")
    assert any(reason in refused.value.message for reason in reasons), refused.value.message
    assert refused.value.remedy


@pytest.mark.parametrize(
    "password",
    ["showdown at high noon", "saddle brass lantern", "tumbleweed saloon", "Dust Road armory 7"],
)
def test_passphrases_of_unrelated_words_pass(password: str) -> None:
    check_password(password, username="ann", display_name="Ann Marsh")


def test_the_lists_are_the_pinned_packages_and_of_the_expected_size() -> None:
    assert len(breached_passwords()) == 30_000
    assert {"password", "iloveyou", "manchester"} <= breached_passwords()
    assert {"sweetheart", "elizabeth", "international"} <= dictionary_words()
    assert is_compound("iloveyoubaby")
    assert not is_compound("saddlebrasslantern")  # three words are not two parts
