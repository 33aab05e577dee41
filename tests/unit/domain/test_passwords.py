"""Password hashes carry their parameters; the current cost is the raised one."""

from __future__ import annotations

from disdukcapil_desk.domain.passwords import (
    CURRENT_COST,
    LEGACY_COST,
    ScryptCost,
    dummy_hash,
    hash_cost,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_new_hashes_use_the_raised_cost_and_store_it() -> None:
    assert CURRENT_COST.n >= 2**16 and CURRENT_COST.r == 8
    stored = hash_password("rahasia123")
    assert stored.startswith(f"scrypt${CURRENT_COST.n}$8$1$")
    assert hash_cost(stored) == CURRENT_COST and not needs_rehash(stored)


def test_an_old_hash_still_verifies_and_asks_to_be_rehashed() -> None:
    old = hash_password("rahasia123", LEGACY_COST)
    assert old.startswith("scrypt$16384$8$1$")
    assert verify_password("rahasia123", old) and not verify_password("rahasia124", old)
    assert needs_rehash(old) and needs_rehash("garbage")


def test_the_dummy_hash_costs_like_a_real_one_and_matches_nothing() -> None:
    assert hash_cost(dummy_hash()) == CURRENT_COST
    assert not needs_rehash(dummy_hash())
    assert not verify_password("", dummy_hash())
    assert not verify_password("rahasia123", dummy_hash())


def test_a_hostile_stored_hash_does_not_eat_the_memory() -> None:
    huge = dummy_hash().replace(f"${CURRENT_COST.n}$", f"${2**24}$", 1)
    assert hash_cost(huge) == ScryptCost(2**24, 8, 1)
    assert not verify_password("rahasia123", huge)
    assert not verify_password("rahasia123", "scrypt$16384$8$1$not-base64!$xx")
