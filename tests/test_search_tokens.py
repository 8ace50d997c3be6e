"""The search tokenizer and query reader: pure Python, no database.

Text becomes units (CJK characters, words, gaps); documents become lexemes (PostgreSQL)
or a stream of one token per position (SQLite); queries become terms. What "contains"
means is tokens.contains(); these tests hold each backend's rule to it.
"""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletins.search.query import matches, parse
from bulletins.search.tokens import (
    FIELD,
    GAP,
    contains,
    fold,
    is_cjk,
    join_fields,
    lexemes,
    stream,
    stream_phrase,
    term_lexemes,
    units,
)


def test_folding_makes_full_width_and_case_equal():
    """NFKC and lower case: ＤＲＧ, DRG and drg are one word; full-width digits are digits."""
    assert fold("ＤＲＧ付费") == "drg付费"
    assert units("ＤＲＧ") == units("DRG") == units("drg") == ["drg"]
    assert units("５Ｇ") == ["5g"]
    assert units("Ⅳ期") == ["iv", "期"]


def test_every_cjk_character_is_a_unit_and_latin_runs_are_words():
    """Chinese is cut into characters, Latin letters and digits into whole words."""
    assert units("5G急救车上线") == ["5g", "急", "救", "车", "上", "线"]
    assert units("AI辅助诊断2025年") == ["ai", "辅", "助", "诊", "断", "2025", "年"]
    assert units("二〇二五年々") == ["二", "〇", "二", "五", "年", "々"]


def test_punctuation_and_spaces_become_one_gap():
    """Any run of punctuation or spaces (Chinese or ASCII) is one gap; none at the ends."""
    assert units("人工智能、大数据") == ["人", "工", "智", "能", GAP, "大", "数", "据"]
    assert units("  “医保”——改革！ ") == ["医", "保", GAP, "改", "革"]
    assert units("COVID-19") == ["covid", GAP, "19"]
    assert units("a_b") == ["a", GAP, "b"]
    assert units("，。！") == []


def test_private_use_characters_in_text_cannot_pose_as_gaps():
    """The gap and field markers are private-use characters; text holding them sees spaces."""
    assert units(f"医{GAP}保{FIELD}") == ["医", GAP, "保"]


def test_fields_are_kept_apart():
    """Fields are joined by a FIELD unit, so no term is found across two of them."""
    joined = join_fields(["互联网", "", "医院"])
    assert joined == ["互", "联", "网", FIELD, "医", "院"]
    assert not contains(joined, units("网医"))
    assert contains(joined, units("互联网"))


def test_lexemes_are_units_runs_of_characters_and_units_before_gaps():
    """Every unit, every run of two to four CJK characters, and a unit before a gap also
    with the gap; nothing across a gap or a field."""
    found = lexemes(join_fields(["人工智能、5G", "医院"]))
    assert {"人", "能", "5g", "医", "院"} <= found
    assert {"人工", "智能", "人工智", "工智能", "人工智能", "医院"} <= found
    assert "能" + GAP in found
    assert not {"能5", "能5g", "5g医", "5g" + GAP, GAP, FIELD} & found
    assert not any(len(lexeme) > 4 and is_cjk(lexeme[0]) for lexeme in found)


def test_a_word_of_up_to_four_characters_is_one_exact_lexeme():
    """人工智能 needs no substring test: its lexeme alone decides."""
    assert term_lexemes(units("人工智能")) == (["人工智能"], True)
    assert term_lexemes(units("医")) == (["医"], True)
    assert term_lexemes(units("DRG")) == (["drg"], True)


def test_longer_text_needs_all_its_lexemes_and_a_substring_test():
    """互联网医院: both four-character runs; a phrase with a gap: the unit before the gap."""
    assert term_lexemes(units("互联网医院")) == (["互联网医", "联网医院"], False)
    assert term_lexemes(units("5G 急救")) == (sorted(["5g", "5g" + GAP, "急救"]), False)
    assert term_lexemes(units("5G急")) == (["5g", "急"], False)


def test_stream_has_one_token_per_position():
    """SQLite's tokens: a character followed by another is the pair, else itself."""
    assert stream(units("互联网医院，5G")) == f"互联 联网 网医 医院 院 {GAP} 5g"


def test_stream_phrase_ends_in_a_prefix_only_for_a_lone_last_character():
    assert stream_phrase(units("人工智能")) == ("人工 工智 智能", False)
    assert stream_phrase(units("医")) == ("医", True)
    assert stream_phrase(units("5G急")) == ("5g 急", True)
    assert stream_phrase(units("急救5G")) == ("急救 救 5g", False)


def test_query_words_are_all_required_and_exclusions_excluded():
    """Spaces and punctuation separate words; quotes keep a phrase; '-' excludes."""
    query = parse('医保，人工智能 "互联网 医院" -区块链 -"COVID-19" DRG')
    assert [t.units for t in query.required] == [
        ("医", "保"),
        ("人", "工", "智", "能"),
        ("互", "联", "网", GAP, "医", "院"),
        ("drg",),
    ]
    assert [t.units for t in query.excluded] == [("区", "块", "链"), ("covid", GAP, "19")]


@pytest.mark.parametrize("text", ["", "   ", "-", '"', '""', "，。", "- -", "-“”"])
def test_a_query_without_searchable_text_is_empty(text):
    assert not parse(text)


def test_query_reading_is_lenient():
    """Unclosed quotes, Chinese quotes and a word both required and excluded are read."""
    unclosed = parse('"互联网 医院')
    assert [t.units for t in unclosed.required] == [("互", "联", "网", GAP, "医", "院")]
    assert [t.units for t in parse("“人工智能”").required] == [("人", "工", "智", "能")]
    both = parse("医保 -医保")
    assert not both.required and [t.units for t in both.excluded] == [("医", "保")]


def test_equivalent_queries_share_a_key():
    assert parse("医保 DRG").key == parse("ＤＲＧ  医保").key
    assert parse("医保").key != parse("-医保").key


def test_reference_rule_is_a_substring_test_for_chinese():
    """For Chinese text, containing a term is a substring test on the folded text."""
    text = units("推动人工智能、大数据等技术应用于医保")
    assert matches(text, parse("智能"))
    assert matches(text, parse("医保 大数据"))
    assert not matches(text, parse("智能大数"))  # punctuation stands between them
    assert matches(text, parse('"智能 大数"'))
    assert not matches(text, parse("医保 -大数据"))


def test_words_match_whole():
    """A Latin word matches whole words: ai is not in 'said', 5g is in 5G急救."""
    assert not contains(units("he said"), units("ai"))
    assert contains(units("5G急救"), units("5g"))
    assert not contains(units("5G急救"), units("g"))


CJK = st.sampled_from(list("医保人工智能互联网院数据要素区块链算力的一"))
TEXT = st.text(alphabet=st.one_of(CJK, st.sampled_from(list("，。 、AIai5G-"))), max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_a_document_containing_a_term_has_all_its_lexemes(text, needle):
    """The index never misses: containing a term means having every lexeme it asks for,
    and for an exact term having them means containing it (PostgreSQL agrees with the
    reference rule)."""
    sequence, piece = units(text), units(needle)
    if not piece:
        return
    wanted, exact = term_lexemes(piece)
    has_all = set(wanted) <= lexemes(sequence)
    if contains(sequence, piece):
        assert has_all
    if exact:
        assert has_all == contains(sequence, piece)


def test_stream_phrase_agrees_with_the_reference_on_random_text():
    """SQLite's rule (consecutive stream tokens, last one maybe a prefix) equals contains()."""
    rng = random.Random(9)
    alphabet = list("医保人工智能互联网，。 5G")
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        needle = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))
        sequence, piece = units(text), units(needle)
        if not piece:
            continue
        tokens = stream(sequence).split(" ") if sequence else []
        wanted, prefix = stream_phrase(piece)
        wanted = wanted.split(" ")
        fits = any(
            tokens[i : i + len(wanted) - 1] == wanted[:-1]
            and i + len(wanted) <= len(tokens)
            and (
                tokens[i + len(wanted) - 1].startswith(wanted[-1])
                if prefix
                else tokens[i + len(wanted) - 1] == wanted[-1]
            )
            for i in range(len(tokens))
        )
        assert fits == contains(sequence, piece), (text, needle)
