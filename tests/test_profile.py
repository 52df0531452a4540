"""Cumulative depth and the imbalance through each level, on hand-built books."""

import numpy as np
import pytest

from obi_widgets import Book, ParameterError, metrics

NAN = np.nan


def book():
    # row 0: 3 levels each side; row 1: the ask side has one level only
    return Book.from_arrays(
        [0, 1],
        [[10.0, 9.9, 9.8], [10.0, 9.9, 9.8]],
        [[1.0, 2.0, 3.0], [4.0, 0.0, 1.0]],
        [[10.1, 10.2, 10.3], [10.1, NAN, NAN]],
        [[2.0, 2.0, 2.0], [1.0, NAN, NAN]],
    )


def test_cumulative_depth_by_hand():
    np.testing.assert_array_equal(metrics.cumulative_depth(book(), "bid"), [[1, 3, 6], [4, 4, 5]])
    np.testing.assert_array_equal(metrics.cumulative_depth(book(), "ask"), [[2, 4, 6], [1, NAN, NAN]])


def test_imbalance_through_each_level_by_hand():
    imb = metrics.cumulative_depth_imbalance(book())
    np.testing.assert_allclose(imb[0], [(1 - 2) / 3, (3 - 4) / 7, 0.0])
    np.testing.assert_allclose(imb[1], [(4 - 1) / 5, NAN, NAN])


def test_matches_depth_imbalance_with_equal_weights():
    b = book()
    imb = metrics.cumulative_depth_imbalance(b)
    for k in (1, 2, 3):
        np.testing.assert_allclose(imb[0, k - 1], metrics.depth_imbalance(b, levels=k)[0])


def test_bad_side():
    with pytest.raises(ParameterError, match="side"):
        metrics.cumulative_depth(book(), "both")
