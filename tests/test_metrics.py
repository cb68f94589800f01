"""eval.metrics against hand-computed examples and edge cases (pure: no index, no model)."""

from __future__ import annotations

import pytest

from eval.gold import GoldError, parse_gold
from eval.metrics import (
    QuoteChecker,
    absence_claim,
    answer_sentences,
    citation_coverage,
    invalid_citation_name,
    markers,
    mean,
    micro_ratio,
    mislabelled_name,
    must_contain_missing,
    name_key,
    percentile,
    relevant_units,
    retrieval_scores,
    speaker_scores,
    support_hits,
)

# ---------------------------------------------------------------- speaker precision / recall / F1


def test_exact_match_is_perfect():
    s = speaker_scores(["France"], must_cite=["France"])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert s.missing == () and s.extra == ()


def test_both_empty_is_one():
    s = speaker_scores([], must_cite=[], may_cite=[], any_of=[])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_nothing_cited_but_required_is_zero():
    s = speaker_scores([], must_cite=["France", "Spain"])
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)
    assert s.missing == ("France", "Spain")


def test_citing_when_nothing_is_acceptable_is_zero_f1():
    # An abstention item answered with a citation: precision 0, recall vacuous, F1 0.
    s = speaker_scores(["France"], must_cite=[])
    assert s.precision == 0.0 and s.recall == 1.0 and s.f1 == 0.0
    assert s.extra == ("France",)


def test_hand_computed_partial_scores():
    # cited {France, Spain, China}; required {France, Germany}; acceptable adds nothing.
    s = speaker_scores(["France", "Spain", "China"], must_cite=["France", "Germany"])
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))  # 0.4
    assert s.f1 == pytest.approx(0.4)
    assert s.missing == ("Germany",)
    assert s.extra == ("Spain", "China")


def test_duplicate_citations_count_once():
    s = speaker_scores(["France", "France", "france", "Spain"], must_cite=["France"])
    assert s.n_cited == 2
    assert s.precision == pytest.approx(0.5)
    assert s.recall == 1.0


def test_may_cite_is_not_penalised_either_way():
    cited = speaker_scores(["France", "European Union"], must_cite=["France"], may_cite=["European Union"])
    assert (cited.precision, cited.recall, cited.f1) == (1.0, 1.0, 1.0)
    left_out = speaker_scores(["France"], must_cite=["France"], may_cite=["European Union"])
    assert (left_out.precision, left_out.recall, left_out.f1) == (1.0, 1.0, 1.0)


def test_only_may_cite_with_nothing_required():
    s = speaker_scores(["Suzan Bazilli"], must_cite=[], may_cite=["Suzan Bazilli"])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_any_of_group_met_by_any_member():
    group = [["Suzan Bazilli", "Karinna Moskalenko"]]
    for who in ("Suzan Bazilli", "Karinna Moskalenko"):
        s = speaker_scores([who], any_of=group)
        assert (s.precision, s.recall) == (1.0, 1.0)
        assert s.required == (who,)
    both = speaker_scores(["Suzan Bazilli", "Karinna Moskalenko"], any_of=group)
    assert (both.precision, both.recall) == (1.0, 1.0)  # the other member is acceptable, the group counts once
    assert both.n_required == 1 and both.n_required_hit == 1


def test_unmet_any_of_group_is_one_missed_speaker():
    s = speaker_scores(["France"], must_cite=["France"], any_of=[["Venezuela", "Cuba"], ["China", "Russian Federation"]])
    assert s.recall == pytest.approx(1 / 3)
    assert s.precision == 1.0
    assert "Venezuela | Cuba" in s.missing and "China | Russian Federation" in s.missing
    s = speaker_scores(["Cuba", "Spain"], must_cite=[], any_of=[["Venezuela", "Cuba"], ["China", "Russian Federation"]])
    assert s.recall == pytest.approx(1 / 2)
    assert s.precision == pytest.approx(1 / 2)


def test_aliases_resolve_through_the_gazetteer():
    assert name_key("Russia") == name_key("Russian Federation") == name_key("the Russian Federation")
    assert name_key("UK") == name_key("United Kingdom")
    assert name_key("Lao PDR") == name_key("Lao People's Democratic Republic")
    assert name_key("DPRK") == name_key("Democratic People's Republic of Korea")
    s = speaker_scores(["Russia", "UK"], must_cite=["Russian Federation", "United Kingdom"])
    assert (s.precision, s.recall) == (1.0, 1.0)
    assert s.cited == ("Russian Federation", "United Kingdom")


def test_case_quotes_and_spaces_are_normalised():
    gold = "National Human Rights Civic Association 'Belarusian Helsinki Committee'"
    cited = "national human rights civic association  ‘Belarusian Helsinki Committee’"
    assert name_key(gold) == name_key(cited)
    s = speaker_scores([cited], must_cite=[gold])
    assert s.f1 == 1.0
    assert name_key("International Bar Association’s Human Rights Institute") == name_key("International Bar Association's Human Rights Institute")


def test_unknown_speaker_and_missing_statement_are_wrong():
    s = speaker_scores(["France", "unknown", invalid_citation_name("doc-x:999")], must_cite=["France"])
    assert s.n_cited == 3
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == 1.0
    # Two different nonexistent statements are two wrong citations; the pseudo-name never matches gold.
    s = speaker_scores([invalid_citation_name("a:1"), invalid_citation_name("a:2")], must_cite=["France"])
    assert s.n_cited == 2 and s.precision == 0.0 and s.recall == 0.0 and s.f1 == 0.0


def test_mislabelled_citation_is_wrong_even_if_label_is_expected():
    s = speaker_scores([mislabelled_name("France", "Spain")], must_cite=["France"])
    assert s.precision == 0.0 and s.recall == 0.0


# ---------------------------------------------------------------- coverage


def test_coverage_counts_sentences_with_valid_markers():
    text = "France condemned the arrests [1]. Spain raised the death penalty [2]. Nobody mentioned sport."
    c = citation_coverage(text, {1, 2})
    assert (c.sentences, c.cited_sentences) == (3, 2)
    assert c.value == pytest.approx(2 / 3)
    assert c.uncited == ("Nobody mentioned sport.",)


def test_coverage_invalid_marker_does_not_count():
    c = citation_coverage("France condemned the arrests [7]. Spain agreed [1].", {1})
    assert c.value == pytest.approx(0.5)


def test_coverage_markers_after_the_full_stop_belong_to_the_sentence():
    text = "“France has taken note of the release.” [1] “France condemns the conditions.” [2][3]"
    assert answer_sentences(text) == ["“France has taken note of the release.” [1]", "“France condemns the conditions.” [2][3]"]
    assert citation_coverage(text, {1, 2, 3}).value == 1.0


def test_coverage_ignores_list_intros_and_headings():
    text = "## Who raised it\nSeveral delegations raised the death penalty:\n- Spain called it unique in Europe. [1]\n- Malta urged a moratorium [2]."
    c = citation_coverage(text, {1, 2})
    assert (c.sentences, c.cited_sentences) == (2, 2)


def test_coverage_of_empty_answer_is_undefined():
    assert citation_coverage("", set()).value is None


def test_markers_forms():
    assert markers("a [1] b [2, 3] c [4][5]") == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------- quotes

STATEMENTS = [
    ("d:001", "France", "France condemns in the strongest possible terms the “horrific” detention conditions."),
    ("d:002", "Spain", "Belarus continues to be the only country in Europe that maintains the death penalty."),
    ("d:003", "Spain", "Spain also said something else entirely."),
]


def test_verbatim_with_curly_vs_straight_quotes_and_case():
    checker = QuoteChecker(STATEMENTS)
    check = checker.check("d:001", 'france condemns in the strongest possible terms the "horrific"  detention')
    assert check.verbatim and not check.misattributed_to
    assert not check.exact_span  # no offsets given


def test_exact_span_checked_when_offsets_given():
    checker = QuoteChecker(STATEMENTS)
    text = STATEMENTS[1][2]
    start = text.index("the only country")
    quote = text[start:start + len("the only country in Europe")]
    assert checker.check("d:002", quote, start, start + len(quote)).exact_span
    assert not checker.check("d:002", quote, start + 1, start + 1 + len(quote)).exact_span


def test_paraphrase_is_not_verbatim():
    check = QuoteChecker(STATEMENTS).check("d:001", "France condemned the horrific conditions")
    assert not check.verbatim and check.misattributed_to is None


def test_misattribution_detected():
    check = QuoteChecker(STATEMENTS).check("d:001", "the only country in Europe")
    assert not check.verbatim
    assert check.misattributed_to == "Spain"


def test_same_speakers_other_statement_is_not_misattribution():
    check = QuoteChecker(STATEMENTS).check("d:003", "the only country in Europe")
    assert not check.verbatim and check.misattributed_to is None


def test_quote_to_nonexistent_statement():
    check = QuoteChecker(STATEMENTS).check("d:999", "the only country in Europe")
    assert not check.verbatim and not check.statement_exists
    assert check.misattributed_to == "Spain"


def test_empty_quote_is_not_verbatim():
    assert not QuoteChecker(STATEMENTS).check("d:001", "").verbatim


# ---------------------------------------------------------------- must contain


def test_must_contain_case_and_quotes():
    text = "France said more than 7,500 people were convicted; it called the election a “sham”."
    assert must_contain_missing(text, ["7,500", '"Sham"', "FRANCE"]) == []
    assert must_contain_missing(text, ["7500", "Nasta Loika"]) == ["7500", "Nasta Loika"]
    assert must_contain_missing("", []) == []


# ---------------------------------------------------------------- retrieval

BY_SPEAKER = {name_key("France"): ["d:1"], name_key("Spain"): ["d:2", "d:9"], name_key("Cuba"): ["d:3"], name_key("Venezuela"): ["d:4", "d:8"]}


def test_relevant_units():
    units = relevant_units(["France", "Spain", "India"], [["Cuba", "Venezuela"]], BY_SPEAKER)
    assert units == [frozenset({"d:1"}), frozenset({"d:2", "d:9"}), frozenset(), frozenset({"d:3", "d:4", "d:8"})]
    assert relevant_units(["Russia"], [], {name_key("Russian Federation"): ["d:5"]}) == [frozenset({"d:5"})]


def test_recall_at_k_and_reciprocal_rank():
    units = relevant_units(["France", "Spain"], [], BY_SPEAKER)
    ranking = ["d:7", "d:6", "d:9", "d:5", "d:4", "d:3", "d:1"]
    score = retrieval_scores(ranking, units, ks=(5, 10))
    assert score.recall[5] == pytest.approx(0.5)  # Spain (d:9, rank 3) in the top 5, France (rank 7) not
    assert score.recall[10] == pytest.approx(1.0)
    assert score.rr == pytest.approx(1 / 3)
    assert score.first_relevant_rank == 3


def test_retrieval_nothing_found_and_nothing_relevant():
    units = relevant_units(["France"], [], BY_SPEAKER)
    score = retrieval_scores(["d:5", "d:6"], units)
    assert score.recall[5] == 0.0 and score.rr == 0.0 and score.first_relevant_rank is None
    assert retrieval_scores(["d:1"], []) is None


def test_any_of_unit_met_by_any_member_statement():
    units = relevant_units([], [["Cuba", "Venezuela"]], BY_SPEAKER)
    score = retrieval_scores(["d:0", "d:8"], units, ks=(1, 5))
    assert score.recall[1] == 0.0 and score.recall[5] == 1.0 and score.rr == 0.5


def test_duplicate_statement_in_ranking_counts_at_best_rank():
    units = relevant_units(["France"], [], BY_SPEAKER)
    assert retrieval_scores(["d:5", "d:5", "d:1"], units).rr == pytest.approx(0.5)


# ---------------------------------------------------------------- aggregates


def test_mean_micro_percentile():
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None]) is None
    assert micro_ratio([1, 2], [2, 2]) == 0.75
    assert micro_ratio([0], [0]) is None
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48)
    assert percentile([5], 95) == 5
    assert percentile([], 50) is None


# ---------------------------------------------------------------- gold loading


def _line(**overrides) -> str:
    import json

    item = {"id": "t1", "type": "speaker_topic", "turns": ["What did France say?"], "must_cite": ["France"], "may_cite": [],
            "any_of": [], "abstain": False, "must_contain": [], "note": ""}
    item.update(overrides)
    return json.dumps(item)


def test_gold_parses_and_freezes():
    [item] = parse_gold([_line(any_of=[["Cuba", "Venezuela"]], turns=["Q1?", "Q2?"])])
    assert item.question == "Q2?" and item.earlier_turns == ("Q1?",)
    assert item.any_of == (("Cuba", "Venezuela"),)
    with pytest.raises(Exception):
        item.id = "x"  # frozen


@pytest.mark.parametrize(
    "lines, fragment",
    [
        (["{not json"], "not valid JSON"),
        ([_line(type="nonsense")], "unknown type"),
        ([_line(turns=[])], "turns"),
        ([_line(), _line()], "duplicate id"),
        ([_line(abstain=True)], "abstention item"),
        ([_line(any_of=[[]])], "any_of"),
        ([_line(extra_field=1)], "extra_field"),
        ([], "no gold items"),
    ],
)
def test_gold_errors_name_the_problem(lines, fragment):
    with pytest.raises(GoldError) as info:
        parse_gold(lines, source="g.jsonl")
    assert fragment in str(info.value)


def test_bundled_gold_is_valid():
    from eval.gold import load_gold

    items = load_gold()
    assert len(items) >= 100


# ---------------------------------------------------------------- gold layout: documents, splits, support


def test_gold_item_defaults_to_the_bundled_document_and_the_test_split():
    [item] = parse_gold([_line()])
    assert item.document == "data/hrc58-belarus-id.txt" and item.split == "test" and item.support == {}


@pytest.mark.parametrize(
    "fields, fragment",
    [
        ({"split": "train"}, "split"),
        ({"document": "/etc/passwd"}, "repository-relative"),
        ({"document": "../outside.txt"}, "repository-relative"),
        ({"support": {"Spain": ["the only country in Europe"]}}, "Spain"),  # not a gold speaker of the item
        ({"support": {"France": []}}, "support"),
        ({"support": ["France"]}, "support"),
    ],
)
def test_bad_document_split_or_support_is_refused_with_the_reason(fields, fragment):
    with pytest.raises(GoldError) as info:
        parse_gold([_line(**fields)], source="g.jsonl")
    assert fragment in str(info.value)


def test_support_may_name_a_speaker_by_alias_of_a_gold_speaker():
    [item] = parse_gold([_line(must_cite=["Russian Federation"], support={"Russia": ["politicised discussions"]})])
    assert item.support == {"Russia": ("politicised discussions",)}


def test_gold_folder_loads_every_file_filters_splits_and_refuses_ids_repeated_across_files(tmp_path):
    from eval.gold import load_gold

    (tmp_path / "a.jsonl").write_text(_line(id="a1", split="dev") + "\n" + _line(id="a2") + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(_line(id="b1", document="tests/data/hrc57-burundi-id.txt") + "\n", encoding="utf-8")
    assert [i.id for i in load_gold(tmp_path)] == ["a1", "a2", "b1"]
    assert [i.id for i in load_gold(tmp_path, "dev")] == ["a1"]
    assert [i.id for i in load_gold(tmp_path, "test")] == ["a2", "b1"]
    with pytest.raises(GoldError, match="unknown split"):
        load_gold(tmp_path, "train")
    (tmp_path / "c.jsonl").write_text(_line(id="a2") + "\n", encoding="utf-8")
    with pytest.raises(GoldError, match="duplicate id 'a2'"):
        load_gold(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GoldError, match="no .jsonl"):
        load_gold(empty)


# ---------------------------------------------------------------- false absence


@pytest.mark.parametrize(
    "text, abstained, cited, claimed, hedged",
    [
        ("No speakers in this dialogue spoke about water: the document has no such statement.", False, 0, True, False),
        ("Nobody raised that.", False, 0, True, False),
        ("India did not take the floor in this dialogue.", True, 0, True, False),
        ("No statement clearly addresses that. The closest passages are below [1].", False, 1, False, True),
        ("**France** (state, p. 16): “France condemns …” [1]\nNo other delegation raised it.", False, 1, False, False),
        ("Malta and Spain raised the death penalty [1][2].", False, 2, False, False),
        ("", True, 0, True, False),
    ],
)
def test_absence_claim_reads_the_headline_and_respects_hedges(text, abstained, cited, claimed, hedged):
    claim = absence_claim(text, abstained, cited)
    assert (claim.claimed, claim.hedged) == (claimed, hedged)


def test_absence_phrase_inside_a_word_does_not_count():
    assert not absence_claim("Nobodyville elected a mayor.", False, 0).claimed
    assert absence_claim("No one raised it.", False, 0).claimed


# ---------------------------------------------------------------- support rate


def test_support_counts_only_citations_of_speakers_with_gold_support():
    support = {"France": ["7,500 people"], "Russian Federation": ["86 percent", "free elections"]}
    score = support_hits(
        [
            ("France", "In 2024, more than 7,500   People were convicted"),  # spaces and case normalised
            ("France", "France thanks the Group of Experts for their report."),  # filler
            ("Russia", "Numerous foreign observers confirmed that these were free elections"),  # alias
            ("Spain", "the only country in Europe"),  # no gold support for Spain: not counted
        ],
        support,
    )
    assert (score.eligible, score.hits) == (3, 2)


def test_support_without_gold_support_is_empty():
    assert support_hits([("France", "anything")], {}) == support_hits([], {"France": ["x"]})


def test_quote_to_nonexistent_statement_of_the_right_speaker_is_not_misattribution():
    check = QuoteChecker(STATEMENTS).check("d:999", "the only country in Europe", speaker="Spain")
    assert not check.verbatim and check.misattributed_to is None
