"""Tests for assistant.gazetteer: speaker names in HRC dialogue summaries."""

from __future__ import annotations

import pytest

from assistant.gazetteer import (
    GROUPS,
    IGOS,
    KINDS,
    MEMBER_STATES,
    NON_NAMES,
    OBSERVER_STATES,
    STATE_ADJECTIVES,
    STATES,
    NameMatch,
    all_aliases,
    canonical_name,
    find_names,
    match_at_start,
)


def names(text: str, **kw) -> list[tuple[str, str]]:
    """(canonical, matched text) for every match."""
    return [(m.canonical, m.text) for m in find_names(text, **kw)]


def canonicals(text: str, **kw) -> list[str]:
    return [m.canonical for m in find_names(text, **kw)]


# ---------------------------------------------------------------- the data


def test_states_hold_193_members_and_2_observers():
    assert len(MEMBER_STATES) == 193
    assert set(OBSERVER_STATES) == {"Holy See", "State of Palestine"}
    assert len(STATES) == 195
    assert set(MEMBER_STATES) | set(OBSERVER_STATES) == set(STATES)


@pytest.mark.parametrize(
    "canonical, aliases",
    [
        ("Russian Federation", ["Russia", "the Russian Federation"]),
        (
            "United Kingdom",
            ["UK", "U.K.", "United Kingdom of Great Britain and Northern Ireland", "Britain", "Great Britain"],
        ),
        ("United States", ["US", "U.S.", "USA", "United States of America", "America"]),
        ("Democratic People's Republic of Korea", ["DPRK", "North Korea"]),
        ("Republic of Korea", ["South Korea"]),
        ("Lao People's Democratic Republic", ["Lao PDR", "Laos"]),
        ("Iran", ["Islamic Republic of Iran", "Iran (Islamic Republic of)"]),
        ("Venezuela", ["Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)"]),
        ("Bolivia", ["Plurinational State of Bolivia"]),
        ("Syrian Arab Republic", ["Syria"]),
        ("Moldova", ["Republic of Moldova"]),
        ("Czech Republic", ["Czechia"]),
        ("Türkiye", ["Turkey", "Turkiye"]),
        ("Netherlands", ["the Netherlands", "Kingdom of the Netherlands", "Netherlands (Kingdom of the)"]),
        ("Viet Nam", ["Vietnam"]),
        ("State of Palestine", ["Palestine"]),
        ("Côte d'Ivoire", ["Cote d'Ivoire", "Ivory Coast"]),
        ("Democratic Republic of the Congo", ["DRC", "DR Congo"]),
        ("Congo", ["Republic of the Congo"]),
        ("United Arab Emirates", ["UAE"]),
        ("Tanzania", ["United Republic of Tanzania"]),
        ("Micronesia", []),
        ("Brunei Darussalam", ["Brunei"]),
        ("Cabo Verde", ["Cape Verde"]),
        ("Eswatini", ["Swaziland"]),
        ("North Macedonia", []),
        ("Holy See", ["Vatican"]),
        ("Timor-Leste", ["East Timor"]),
        ("Myanmar", ["Burma"]),
    ],
)
def test_mandatory_state_names_and_aliases_are_present(canonical, aliases):
    assert canonical in STATES
    for alias in aliases:
        assert alias in STATES[canonical]
        assert canonical_name(alias) == (canonical, "state")


def test_bare_korea_is_not_an_alias_of_either_korea():
    assert "Korea" not in STATES["Republic of Korea"]
    assert "Korea" not in STATES["Democratic People's Republic of Korea"]


def test_adjectives_cover_the_common_states_and_belong_to_known_states():
    assert len(STATE_ADJECTIVES) >= 80
    assert set(STATE_ADJECTIVES) <= set(STATES)
    for canonical, adjective in [
        ("France", "French"),
        ("Russian Federation", "Russian"),
        ("China", "Chinese"),
        ("United Kingdom", "British"),
        ("United States", "American"),
        ("Belarus", "Belarusian"),
        ("Ukraine", "Ukrainian"),
        ("Venezuela", "Venezuelan"),
        ("Cuba", "Cuban"),
        ("Iran", "Iranian"),
        ("Lithuania", "Lithuanian"),
        ("Poland", "Polish"),
        ("Germany", "German"),
        ("Spain", "Spanish"),
        ("Switzerland", "Swiss"),
        ("Netherlands", "Dutch"),
        ("Czech Republic", "Czech"),
        ("Ireland", "Irish"),
    ]:
        assert adjective in STATE_ADJECTIVES[canonical]


def test_ambiguous_adjectives_are_left_out():
    every_adjective = {a for adjs in STATE_ADJECTIVES.values() for a in adjs}
    assert not {"Korean", "Congolese", "Dominican"} & every_adjective


def test_groups_and_igos_have_the_required_entries():
    assert len(GROUPS) >= 20
    assert len(IGOS) >= 20
    for group in [
        "Nordic-Baltic countries",
        "Group of Friends in Defence of the Charter of the United Nations",
        "African Group",
        "Arab Group",
        "Organisation of Islamic Cooperation",
        "Non-Aligned Movement",
        "Like-Minded Group",
        "Gulf Cooperation Council",
        "Group of 77 and China",
        "Community of Latin American and Caribbean States",
        "Benelux",
        "Core Group",
        "Cross-regional group",
        "Small Island Developing States",
        "Least Developed Countries",
        "European Union",
    ]:
        assert group in GROUPS
    for igo in [
        "European Union",
        "Organisation of Islamic Cooperation",
        "African Union",
        "Council of Europe",
        "Organization for Security and Co-operation in Europe",
        "International Organisation of la Francophonie",
        "League of Arab States",
        "Commonwealth",
        "International Committee of the Red Cross",
        "International Labour Organization",
        "Office of the High Commissioner for Human Rights",
    ]:
        assert igo in IGOS
    for acronym, canonical in [("UNICEF", "United Nations Children's Fund"), ("UNHCR", None), ("OHCHR", None)]:
        found = canonical_name(acronym)
        assert found is not None and found[1] == "igo"
        if canonical:
            assert found[0] == canonical


def test_no_alias_names_two_different_speakers_of_the_same_kind():
    for kind, table in (("state", STATES), ("group", GROUPS), ("igo", IGOS)):
        seen: dict[str, str] = {}
        for canonical, aliases in table.items():
            for alias in (canonical, *aliases):
                key = alias.lower().removeprefix("the ")
                assert seen.setdefault(key, canonical) == canonical, (kind, alias)
    seen = {}
    for canonical, adjectives in STATE_ADJECTIVES.items():
        for adjective in adjectives:
            assert seen.setdefault(adjective.lower(), canonical) == canonical, adjective


def test_non_names_are_not_themselves_names():
    for phrase in NON_NAMES:
        assert canonical_name(phrase) is None, phrase


@pytest.mark.parametrize("ignore_case", [False, True])
def test_every_alias_alone_is_found_whole_as_its_own_speaker(ignore_case):
    for kind, table in (("state", STATES), ("group", GROUPS), ("igo", IGOS)):
        for canonical, aliases in table.items():
            for alias in (canonical, *aliases):
                found = find_names(alias, kinds=(kind,), ignore_case=ignore_case)
                assert [(m.canonical, m.text) for m in found] == [(canonical, alias)], (kind, alias)
    for canonical, adjectives in STATE_ADJECTIVES.items():
        for adjective in adjectives:
            found = find_names(adjective, ignore_case=ignore_case, adjectives=True)
            assert [(m.canonical, m.form, m.text) for m in found] == [(canonical, "adjective", adjective)]


# ---------------------------------------------------------------- find_names


def test_match_fields_and_span_point_into_the_text():
    text = "Moreover, Switzerland thanks the Group of Experts."
    [m] = find_names(text)
    assert m == NameMatch("Switzerland", "state", "name", 10, 21, "Switzerland")
    assert text[m.start : m.end] == m.text


def test_longest_name_wins_over_contained_name():
    text = (
        "The Democratic Republic of the Congo, the Republic of the Congo and Congo; "
        "Equatorial Guinea, Guinea-Bissau, Papua New Guinea and Guinea; "
        "South Sudan and Sudan; the Dominican Republic and Dominica."
    )
    assert canonicals(text) == [
        "Democratic Republic of the Congo",
        "Congo",
        "Congo",
        "Equatorial Guinea",
        "Guinea-Bissau",
        "Papua New Guinea",
        "Guinea",
        "South Sudan",
        "Sudan",
        "Dominican Republic",
        "Dominica",
    ]


def test_the_two_koreas_are_told_apart():
    text = "The Democratic People's Republic of Korea and the Republic of Korea"
    assert names(text) == [
        ("Democratic People's Republic of Korea", "The Democratic People's Republic of Korea"),
        ("Republic of Korea", "the Republic of Korea"),
    ]


def test_niger_does_not_match_inside_nigeria():
    assert canonicals("Nigeria and Niger; the Niger.") == ["Nigeria", "Niger", "Niger"]
    assert canonicals("Nigerian and Nigerien officials", adjectives=True) == ["Nigeria", "Niger"]


def test_dominican_adjective_is_not_dominica():
    assert find_names("Dominican officials", adjectives=True) == []


def test_names_match_whole_words_only():
    assert find_names("Omanisation, Chadwick, Perusal, Malice, Cubans, Irani") == []


def test_bare_korea_matches_nothing():
    assert find_names("Korea") == []
    assert find_names("the Korean Peninsula and Korea", ignore_case=True, adjectives=True) == []


@pytest.mark.parametrize("text, canonical", [("Georgia", "Georgia"), ("Jordan", "Jordan"), ("Chad", "Chad")])
def test_state_names_that_are_also_common_words_match_when_capitalised(text, canonical):
    assert names(f"{text} takes note of the report.") == [(canonical, text)]
    assert find_names(f"the {text.lower()} was counted") == []


def test_samoa_matches_but_american_samoa_does_not():
    assert canonicals("Samoa welcomes the report.") == ["Samoa"]
    assert find_names("American Samoa", adjectives=True) == []


def test_northern_ireland_is_not_ireland():
    assert find_names("Northern Ireland") == []
    assert canonicals("the United Kingdom of Great Britain and Northern Ireland and Ireland") == [
        "United Kingdom",
        "Ireland",
    ]


def test_latin_america_is_not_the_united_states():
    assert canonicals("Latin America, Latin American states, the Inter-American Commission", adjectives=True) == []
    assert canonicals(
        "the Community of Latin American and Caribbean States and the Latin American and Caribbean Group"
    ) == ["Community of Latin American and Caribbean States", "Group of Latin American and Caribbean States"]


def test_turkey_is_an_alias_of_turkiye():
    assert names("Türkiye, Turkey and Turkiye") == [
        ("Türkiye", "Türkiye"),
        ("Türkiye", "Turkey"),
        ("Türkiye", "Turkiye"),
    ]


def test_two_letter_acronyms_match_only_in_capitals():
    assert find_names("Tell us what they said to us.", ignore_case=True) == []
    assert find_names("the uk and the eu", ignore_case=True) == []
    assert names("The US, the UK and the EU spoke.", ignore_case=True) == [
        ("United States", "The US"),
        ("United Kingdom", "the UK"),
        ("European Union", "the EU"),
    ]


def test_acronym_form_is_reported():
    found = find_names("The UK, the DPRK, the EU and U.S. officials")
    assert [(m.canonical, m.form) for m in found] == [
        ("United Kingdom", "acronym"),
        ("Democratic People's Republic of Korea", "acronym"),
        ("European Union", "acronym"),
        ("United States", "acronym"),
    ]


def test_ignore_case_matches_names_in_any_case():
    assert names("what did the russian federation and UNITED KINGDOM say", ignore_case=True) == [
        ("Russian Federation", "the russian federation"),
        ("United Kingdom", "UNITED KINGDOM"),
    ]
    assert find_names("what did the russian federation say") == []


def test_leading_article_is_part_of_the_match_for_names_that_take_it():
    assert names("The Netherlands thanks") == [("Netherlands", "The Netherlands")]
    assert names("and the Netherlands") == [("Netherlands", "the Netherlands")]
    assert names("The Lao PDR thanks the delegation") == [("Lao People's Democratic Republic", "The Lao PDR")]
    assert names("the United Kingdom") == [("United Kingdom", "the United Kingdom")]
    assert names("The Gambia and the Philippines") == [("Gambia", "The Gambia"), ("Philippines", "the Philippines")]
    assert names("the African Group and the OIC") == [
        ("African Group", "the African Group"),
        ("Organisation of Islamic Cooperation", "the OIC"),
    ]


def test_article_is_left_out_for_names_that_do_not_take_it():
    [m] = find_names("The Belarus delegation")
    assert (m.text, m.start) == ("Belarus", 4)
    assert names("the French delegation", adjectives=True) == [("France", "French")]


def test_article_only_counts_when_it_is_a_whole_word():
    assert names("Bathe Netherlands") == [("Netherlands", "Netherlands")]


def test_trailing_parenthetical_acronym_is_part_of_the_match():
    assert names("The United Kingdom (UK) continues") == [("United Kingdom", "The United Kingdom (UK)")]
    assert names("The Democratic People's Republic of Korea (DPRK) commends") == [
        ("Democratic People's Republic of Korea", "The Democratic People's Republic of Korea (DPRK)")
    ]
    assert names("Lao People's Democratic Republic (Lao PDR)") == [
        ("Lao People's Democratic Republic", "Lao People's Democratic Republic (Lao PDR)")
    ]


def test_parenthetical_of_another_speaker_is_a_separate_match():
    assert names("Bulgaria (EU) aligns itself") == [("Bulgaria", "Bulgaria"), ("European Union", "EU")]
    assert names("Belarus (2020)") == [("Belarus", "Belarus")]


def test_un_style_parenthetical_names_match_whole():
    assert names("Iran (Islamic Republic of) and Venezuela (Bolivarian Republic of)") == [
        ("Iran", "Iran (Islamic Republic of)"),
        ("Venezuela", "Venezuela (Bolivarian Republic of)"),
    ]
    assert names("the Netherlands (Kingdom of the)") == [("Netherlands", "the Netherlands (Kingdom of the)")]


def test_curly_and_straight_apostrophes_are_interchangeable():
    assert names("Côte d’Ivoire and Cote d'Ivoire") == [
        ("Côte d'Ivoire", "Côte d’Ivoire"),
        ("Côte d'Ivoire", "Cote d'Ivoire"),
    ]
    assert canonicals("The Democratic People’s Republic of Korea") == ["Democratic People's Republic of Korea"]


def test_possessives_match_the_name_without_the_suffix():
    assert names("Russia's position and Russia’s delegation") == [
        ("Russian Federation", "Russia"),
        ("Russian Federation", "Russia"),
    ]
    assert names("Belarus' authorities and Belarus’ courts") == [("Belarus", "Belarus"), ("Belarus", "Belarus")]


def test_name_broken_across_a_line_still_matches():
    assert names("the United\nKingdom") == [("United Kingdom", "the United\nKingdom")]


def test_adjectives_only_match_when_asked():
    text = "Belarusian authorities and the Dutch, Swiss and Chinese delegations"
    assert find_names(text) == []
    found = find_names(text, adjectives=True)
    assert [(m.canonical, m.form) for m in found] == [
        ("Belarus", "adjective"),
        ("Netherlands", "adjective"),
        ("Switzerland", "adjective"),
        ("China", "adjective"),
    ]


def test_adjective_gives_way_to_a_longer_name():
    assert names("Saudi Arabia and the Czech Republic", adjectives=True) == [
        ("Saudi Arabia", "Saudi Arabia"),
        ("Czech Republic", "the Czech Republic"),
    ]


def test_groups_are_found_in_on_behalf_of_sentences():
    assert names("On behalf of the Nordic-Baltic countries, Estonia thanks") == [
        ("Nordic-Baltic countries", "the Nordic-Baltic countries"),
        ("Estonia", "Estonia"),
    ]
    assert names("On behalf of the Group of Friends in Defence of the UN Charter, Venezuela") == [
        (
            "Group of Friends in Defence of the Charter of the United Nations",
            "the Group of Friends in Defence of the UN Charter",
        ),
        ("Venezuela", "Venezuela"),
    ]
    assert names("On behalf of a cross-regional group of countries, Lithuania") == [
        ("Cross-regional group", "cross-regional group of countries"),
        ("Lithuania", "Lithuania"),
    ]


def test_kinds_filter_results_and_shared_names_report_the_requested_kind():
    text = "The European Union and France"
    assert [(m.canonical, m.kind) for m in find_names(text)] == [("European Union", "igo"), ("France", "state")]
    assert [(m.canonical, m.kind) for m in find_names(text, kinds=("group",))] == [("European Union", "group")]
    assert [m.canonical for m in find_names(text, kinds="state")] == ["France"]


def test_a_longer_name_of_an_excluded_kind_hides_the_name_inside_it():
    assert find_names("the Commonwealth of Dominica", kinds=("igo",)) == []
    assert canonicals("the Commonwealth of Dominica and the Commonwealth") == ["Dominica", "Commonwealth"]
    assert find_names("the Sovereign Order of Malta", kinds=("state",)) == []


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError):
        find_names("France", kinds=("ngo",))
    assert set(KINDS) == {"state", "group", "igo"}


def test_find_names_on_a_long_text_returns_every_match_in_order():
    paragraph = (
        "The United Kingdom (UK) continues to condemn violations. Russia's delegation objected. "
        "Nigeria and Niger spoke, as did the Netherlands, Papua New Guinea and South Sudan. "
        "Staff told us nothing new about it and the rest of the statement was long. " * 2
    )
    expected_per_paragraph = [
        "United Kingdom",
        "Russian Federation",
        "Nigeria",
        "Niger",
        "Netherlands",
        "Papua New Guinea",
        "South Sudan",
    ] * 2
    copies = 80_000 // len(paragraph) + 1
    text = paragraph * copies
    assert len(text) >= 80_000
    found = find_names(text, ignore_case=True)
    assert [m.canonical for m in found] == expected_per_paragraph * copies
    assert all(text[m.start : m.end] == m.text for m in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


# ---------------------------------------------------------------- match_at_start


def test_match_at_start_returns_the_leading_name():
    m = match_at_start("  The Lao PDR thanks the delegation of Belarus")
    assert m is not None
    assert (m.canonical, m.text, m.start) == ("Lao People's Democratic Republic", "The Lao PDR", 2)
    m = match_at_start("Russia categorically condemns")
    assert m is not None and m.canonical == "Russian Federation"


def test_match_at_start_skips_the_article_before_names_that_do_not_take_it():
    m = match_at_start("The Belarus delegation said")
    assert m is not None and (m.canonical, m.start) == ("Belarus", 4)


def test_match_at_start_is_none_when_the_text_does_not_begin_with_a_name():
    assert match_at_start("The Group of Experts stresses that Belarus") is None
    assert match_at_start("According to Burundi, mandates fail") is None
    assert match_at_start("Nigeria", kinds=("group",)) is None


def test_match_at_start_honours_options():
    assert match_at_start("french officials said") is None
    m = match_at_start("french officials said", ignore_case=True, adjectives=True)
    assert m is not None and (m.canonical, m.form) == ("France", "adjective")


# ---------------------------------------------------------------- canonical_name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Russia", ("Russian Federation", "state")),
        ("the Russian Federation", ("Russian Federation", "state")),
        ("Russia's", ("Russian Federation", "state")),
        ("Belarus'", ("Belarus", "state")),
        ("Belarus’", ("Belarus", "state")),
        ("UK", ("United Kingdom", "state")),
        ("The United Kingdom (UK)", ("United Kingdom", "state")),
        ("the netherlands", ("Netherlands", "state")),
        ("The Lao PDR", ("Lao People's Democratic Republic", "state")),
        ("Democratic People’s Republic of Korea (DPRK)", ("Democratic People's Republic of Korea", "state")),
        ("Turkey", ("Türkiye", "state")),
        ("French", ("France", "state")),
        ("Dutch", ("Netherlands", "state")),
        ("EU", ("European Union", "igo")),
        ("European Union", ("European Union", "igo")),
        ("OIC", ("Organisation of Islamic Cooperation", "igo")),
        ("NB8", ("Nordic-Baltic countries", "group")),
        ("Group of Friends", ("Group of Friends in Defence of the Charter of the United Nations", "group")),
        ("Arab League", ("League of Arab States", "igo")),
        ("  Cote d'Ivoire ", ("Côte d'Ivoire", "state")),
    ],
)
def test_canonical_name_resolves_names_aliases_and_adjectives(name, expected):
    assert canonical_name(name) == expected


@pytest.mark.parametrize("name", ["Korea", "Narnia", "", "Northern Ireland", "Belarus and Russia"])
def test_canonical_name_is_none_for_anything_but_a_whole_known_name(name):
    assert canonical_name(name) is None


# ---------------------------------------------------------------- all_aliases


def test_all_aliases_lists_canonical_aliases_and_adjectives_once():
    aliases = all_aliases("United Kingdom")
    assert aliases[0] == "United Kingdom"
    assert {"UK", "Britain", "British"} <= set(aliases)
    assert len(aliases) == len(set(aliases))


def test_all_aliases_merges_a_name_that_is_both_group_and_igo():
    aliases = all_aliases("European Union")
    assert aliases[0] == "European Union"
    assert "EU" in aliases
    assert len(aliases) == len(set(aliases))


def test_all_aliases_accepts_an_alias_and_is_empty_for_unknown_names():
    assert all_aliases("Russia") == all_aliases("Russian Federation")
    assert all_aliases("Narnia") == ()
