"""Callback data and typed numbers are parsed strictly: forged input is no press at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_BYTES, MAX_ID, Press, Verb, decode, parse_id


def test_a_press_survives_the_round_trip() -> None:
    press = Press(Verb.SETUJUI, 12, 345)
    assert decode(press.encode()) == press
    assert len(Press(Verb.KIRIM, MAX_ID, MAX_ID).encode().encode()) <= MAX_BYTES


def test_forged_data_is_no_press() -> None:
    for data in (
        "1:ap:999999999999999999999:1",  # 21 digits: once an OverflowError in SQLite
        "1:ap:-1:2",
        "1:ap:1:²",
        "1:ap:01:2",
        "1:xx:1:2",
        "2:ap:1:2",
        "1:ap:1",
        "1:ap:#1:2",
        "1:ap: 1:2",
        "",
        None,
        "1:ap:1:2" + "0" * 80,
    ):
        assert decode(data) is None, data


def test_typed_numbers_are_ascii_digits_within_range() -> None:
    assert parse_id("12") == 12
    assert parse_id(" #7 ") == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    for text in ("²", "١٢", "99999999999999999999999", "1" * 4000, "-3", "1.5", "", "#", "<b>"):
        assert parse_id(text) is None, text


@given(st.text(max_size=80))
def test_decode_never_raises(data: str) -> None:
    press = decode(data)
    assert press is None or (0 <= press.first <= MAX_ID and 0 <= press.second <= MAX_ID)
