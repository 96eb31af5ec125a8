"""Status list indices come from the CSPRNG in one read per batch, uniformly over the list."""

from __future__ import annotations

from collections import Counter

import pytest

from microdegree.issuing.statuslists import random_indices


@pytest.mark.parametrize("size", [1, 2, 10, 255, 256, 257, 131_072, 1_000_003])
def test_indices_are_in_range(size):
    drawn = random_indices(size, 2000)
    assert drawn
    assert all(0 <= i < size for i in drawn)


def test_rejection_keeps_every_value_reachable_and_roughly_uniform():
    counts = Counter(random_indices(10, 20_000))  # 4 bits per draw, 6 of 16 values rejected
    assert set(counts) == set(range(10))
    expected = sum(counts.values()) / 10
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values())


def test_draws_differ_between_calls():
    assert random_indices(131_072, 50) != random_indices(131_072, 50)
