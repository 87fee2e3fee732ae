"""The report's figures: median, p90 by nearest rank, share on time, and periods."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.report import (
    Period,
    PeriodError,
    PositionStats,
    Sample,
    Turn,
    draft_time,
    median,
    parse_period,
    percentile,
    position_stats,
    row_stats,
    share,
    slowest_rows,
)


def test_median_of_odd_and_even_counts() -> None:
    assert median([7]) == 7
    assert median([40, 70, 50, 60, 55]) == 55
    assert median([50, 70, 60, 40, 55, 65]) == 57.5  # (55 + 60) / 2
    with pytest.raises(ValueError):
        median([])


def test_p90_is_the_nearest_rank() -> None:
    # ⌈0.9 · n⌉: of up to ten values the largest, of eleven to twenty the second largest.
    assert percentile([5], 90) == 5
    assert percentile([3, 1, 2], 90) == 3
    assert percentile(list(range(1, 11)), 90) == 9  # rank ⌈9.0⌉ = 9
    assert percentile(list(range(1, 12)), 90) == 10  # rank ⌈9.9⌉ = 10
    assert percentile(list(range(1, 21)), 90) == 18
    assert percentile([10, 20, 30, 40], 50) == 20  # the lower middle, an observed value
    with pytest.raises(ValueError):
        percentile([], 90)
    with pytest.raises(ValueError):
        percentile([1], 0)


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60))
def test_p90_is_observed_and_at_least_the_median(values: list[int]) -> None:
    p90 = percentile(values, 90)
    assert p90 in values
    assert p90 >= median(values) or math.isclose(p90, median(values))
    assert sum(v <= p90 for v in values) >= 0.9 * len(values)


def test_share_of_nothing_is_zero() -> None:
    assert share(0, 0) == 0.0
    assert share(2, 3) == pytest.approx(0.6667, abs=1e-4)


def test_row_stats_per_row_with_each_entrys_own_standard() -> None:
    samples = [Sample("renja", 1, minutes, 60) for minutes in (50, 70, 60, 40, 55, 65)] + [
        # A row in days: each entry's standard is the minutes its days had.
        Sample("lakip", 1, 400, 480),
        Sample("lakip", 1, 500, 450),
        Sample("lakip", 1, 300, 480),
    ]
    lakip, renja = row_stats(samples)
    assert (renja.sop_id, renja.row_no, renja.count) == ("renja", 1, 6)
    assert (renja.median, renja.p90, renja.standard) == (57.5, 70, 60)
    assert renja.on_time == 4  # 50, 60, 40, 55
    assert renja.share_on_time == pytest.approx(4 / 6)
    assert lakip.standard == 480  # the median of 450, 480, 480
    assert lakip.on_time == 2  # 500 > its own 450
    assert lakip.median_ratio == pytest.approx(400 / 480)


def test_the_slowest_rows_are_ranked_against_their_standard() -> None:
    stats = row_stats(
        [
            Sample("renja", 2, 150, 120),  # 125%
            Sample("renja", 5, 12, 10),  # 120%
            Sample("renja", 5, 12, 10),
            Sample("renja", 1, 30, 60),  # 50%
            Sample("renja", 4, 12, 10),  # 120% and the same p90 as row 5: the earlier row
        ]
    )
    assert [s.row_no for s in slowest_rows(stats, 3)] == [2, 4, 5]
    assert [s.row_no for s in slowest_rows(stats, 10)] == [2, 4, 5, 1]


def test_positions_slowest_first() -> None:
    found = position_stats(
        [Turn("sekretaris", m) for m in (0, 50, 8)]
        + [Turn("kepala_badan", m) for m in (10, 12, 20, 6)]
        + [Turn("kasubbag_renja", 0)]
    )
    assert found == [
        PositionStats("kepala_badan", 4, 11.0, 48),
        PositionStats("sekretaris", 3, 8.0, 58),
        PositionStats("kasubbag_renja", 1, 0.0, 0),
    ]


def test_a_drafts_time_row_by_row_against_the_sops_total() -> None:
    standards = [(1, 60), (2, 120), (3, 30), (4, 10), (5, 10), (6, None)]
    entries = [(1, 60, 60), (2, 110, 120), (3, 45, 30), (4, 10, 10), (5, 20, 10)]
    entries += [(3, 20, 30), (4, 5, 10), (5, 6, 10)]  # after a return from row 5
    time = draft_time(standards, entries)
    assert [(r.row_no, r.minutes, r.entries, r.standard, r.over) for r in time.rows] == [
        (1, 60, 1, 60, 0),
        (2, 110, 1, 120, 0),
        (3, 65, 2, 30, 35),
        (4, 15, 2, 10, 5),
        (5, 26, 2, 10, 16),
        (6, None, 0, None, 0),
    ]
    assert (time.minutes, time.standard) == (276, 230)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "2026-03"),
        ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "2028-02"),
        ("2026-03-15", date(2026, 3, 15), date(2026, 3, 15), "2026-03-15"),
        (
            "2026-01-01..2026-06-30",
            date(2026, 1, 1),
            date(2026, 6, 30),
            "2026-01-01..2026-06-30",
        ),
        ("2026-01..2026-06", date(2026, 1, 1), date(2026, 6, 30), "2026-01-01..2026-06-30"),
        ("2025..2026", date(2025, 1, 1), date(2026, 12, 31), "2025-01-01..2026-12-31"),
        (" 2026 ", date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_periods_as_written(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert period == Period(start, end)
    assert period.label == label


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("tahun lalu", "tidak dapat dibaca. Tulis misalnya 2026, 2026-03"),
        ("26", "tidak dapat dibaca"),
        ("2026-13", "bulan 13 tidak ada (1 sampai 12)"),
        ("2026-00", "bulan 0 tidak ada"),
        ("2026-02-30", "tanggal 2026-02-30 tidak ada"),
        ("2026-06-30..2026-01-01", "tanggal awal 30-06-2026 sesudah tanggal akhir 01-01-2026"),
        ("1899", "tahun 1899 di luar 2000–2100"),
        ("2026..", "tidak dapat dibaca"),
        ("2026/03", "tidak dapat dibaca"),
        ("٢٠٢٦", "tidak dapat dibaca"),  # Arabic-Indic digits: not a year here
        ("2026-²", "tidak dapat dibaca"),
    ],
)
def test_periods_that_cannot_be_read_are_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(text)
    assert says in str(refused.value)
