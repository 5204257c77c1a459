"""The alerts benchmark's figures (bench/bench_alerts.py): its percentiles, its interleaving and its ratio."""

from __future__ import annotations

import numpy as np
import pytest

from bench.bench_alerts import Comparison, arms, percentile


@pytest.mark.parametrize("q", [0, 5, 50, 95, 99, 100])
def test_percentile_interpolates_between_ranks_as_numpy_does(q: float) -> None:
    values = [3.2, 0.4, 1.1, 9.8, 2.2, 2.2, 0.05, 7.5, 4.0, 1.6, 0.9]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([1.7], 95) == 1.7


def test_percentile_refuses_nothing_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_rounds_alternate_starting_without_rules() -> None:
    assert arms(3) == [False, True, False, True, False, True]


def test_comparison_gives_medians_ratio_and_cost() -> None:
    figures = Comparison(without=[100.0, 80.0, 120.0], with_rules=[90.0, 95.0, 60.0])
    assert figures.median_without == 100.0
    assert figures.median_with == 90.0
    assert figures.ratio == pytest.approx(0.9)
    assert figures.cost == pytest.approx(0.1)
