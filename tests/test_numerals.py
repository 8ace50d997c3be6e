"""Issue numerals: digit-by-digit Chinese, positional forms, zeros, errors."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletins.text import numerals


@pytest.mark.parametrize(
    ("number", "chinese"),
    [(636, "六三六"), (596, "五九六"), (542, "五四二"), (650, "六五〇"), (0, "〇"), (7, "七")],
)
def test_to_chinese_writes_one_digit_per_digit(number, chinese):
    assert numerals.to_chinese(number) == chinese


def test_issue_label():
    assert numerals.issue_label(636) == "第六三六期"
    assert numerals.issue_label(605) == "第六〇五期"


def test_to_chinese_refuses_negative_numbers():
    with pytest.raises(numerals.NumeralError):
        numerals.to_chinese(-1)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("六三六", 636),
        ("第六三六期", 636),
        ("(第六三六期)", 636),
        ("（第六三六期）", 636),
        ("（第六三六）", 636),
        (" 第 五 九 六 期 ", 596),
        ("六五〇", 650),
        ("六五零", 650),
        ("六〇五", 605),
        ("六零五", 605),
        ("六○五", 605),
        ("636", 636),
        ("第636期", 636),
        ("６３６", 636),
        ("第６３６期", 636),
    ],
)
def test_parse_digit_forms(text, number):
    assert numerals.parse(text) == number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("六百五十", 650),
        ("第六百五十期", 650),
        ("六百三十六", 636),
        ("六百零五", 605),
        ("六百〇五", 605),
        ("十二", 12),
        ("十", 10),
        ("二十", 20),
        ("一千零一", 1001),
        ("两百", 200),
    ],
)
def test_parse_positional_forms(text, number):
    assert numerals.parse(text) == number


@pytest.mark.parametrize(
    "text",
    ["", "   ", "第期", "()", "六三x", "abc", "第六三六期期刊", "十三五规划", "六六六六号", None],
)
def test_parse_rejects_what_is_not_a_number(text):
    with pytest.raises(numerals.NumeralError):
        numerals.parse(text)


def test_numeral_error_is_a_value_error():
    assert issubclass(numerals.NumeralError, ValueError)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99999))
def test_round_trip_through_the_label(number):
    assert numerals.parse(numerals.to_chinese(number)) == number
    assert numerals.parse(numerals.issue_label(number)) == number
    assert numerals.parse(f"（{numerals.issue_label(number)}）") == number


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_parse_raises_only_numeral_errors(text):
    try:
        value = numerals.parse(text)
    except numerals.NumeralError:
        return
    assert isinstance(value, int) and value >= 0
