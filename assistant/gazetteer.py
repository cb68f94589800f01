"""Names of the speakers that take the floor in HRC interactive dialogues.

Data (plain constant dicts, standard library only):

* ``STATES: dict[str, tuple[str, ...]]`` -- canonical state name -> aliases.
  The 193 UN member states plus the two observer states (Holy See, State of
  Palestine); ``MEMBER_STATES`` / ``OBSERVER_STATES`` split them.  Canonical
  names are the common UN English short names with "(... of)" parentheticals
  removed ("Iran", "Venezuela", "Netherlands"), plus a few fixed choices
  ("United Kingdom", "United States", "Czech Republic", "Moldova", "Tanzania").
* ``STATE_ADJECTIVES: dict[str, tuple[str, ...]]`` -- canonical state ->
  unambiguous adjective / demonym forms ("French", "Dutch").
* ``GROUPS: dict[str, tuple[str, ...]]`` -- groups that states speak on behalf of.
* ``IGOS: dict[str, tuple[str, ...]]`` -- intergovernmental organisations.
  A name may be both a group and an IGO (European Union, OIC).
* ``NON_NAMES: tuple[str, ...]`` -- phrases that contain a name but do not
  refer to it ("Northern Ireland", "American Samoa", "Latin America"); they
  are matched so that the name inside them is not, and then dropped.

Matching (``find_names``) uses one compiled, prefix-factored (trie) regex per
(ignore_case, adjectives) combination, built on first use and cached.  The
regex always contains the names of every kind, and ``kinds`` filters the
results afterwards, so a longer name of an unwanted kind still hides the
shorter one inside it ("Commonwealth of Dominica" is never the Commonwealth).
At any position the longest alias wins; whole words only; ' and ’ are
interchangeable; whitespace inside a name may be any run of whitespace.
Acronyms (UK, US, DPRK, EU, NB8, LDCs) always match case-sensitively.
A possessive ("Russia's", "Belarus'") is left outside the match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Iterable, Literal

Kind = Literal["state", "group", "igo"]
Form = Literal["name", "acronym", "adjective"]
KINDS: tuple[str, ...] = ("state", "group", "igo")

# --------------------------------------------------------------------------
# States
# --------------------------------------------------------------------------

OBSERVER_STATES: tuple[str, ...] = ("Holy See", "State of Palestine")

STATES: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("Islamic Republic of Afghanistan",),
    "Albania": ("Republic of Albania",),
    "Algeria": ("People's Democratic Republic of Algeria",),
    "Andorra": ("Principality of Andorra",),
    "Angola": ("Republic of Angola",),
    "Antigua and Barbuda": (),
    "Argentina": ("Argentine Republic",),
    "Armenia": ("Republic of Armenia",),
    "Australia": ("Commonwealth of Australia",),
    "Austria": ("Republic of Austria",),
    "Azerbaijan": ("Republic of Azerbaijan",),
    "Bahamas": ("Commonwealth of the Bahamas",),
    "Bahrain": ("Kingdom of Bahrain",),
    "Bangladesh": ("People's Republic of Bangladesh",),
    "Barbados": (),
    "Belarus": ("Republic of Belarus",),
    "Belgium": ("Kingdom of Belgium",),
    "Belize": (),
    "Benin": ("Republic of Benin",),
    "Bhutan": ("Kingdom of Bhutan",),
    "Bolivia": ("Plurinational State of Bolivia", "Bolivia (Plurinational State of)"),
    "Bosnia and Herzegovina": ("Bosnia-Herzegovina", "Bosnia"),
    "Botswana": ("Republic of Botswana",),
    "Brazil": ("Federative Republic of Brazil",),
    "Brunei Darussalam": ("Brunei",),
    "Bulgaria": ("Republic of Bulgaria",),
    "Burkina Faso": (),
    "Burundi": ("Republic of Burundi",),
    "Cabo Verde": ("Cape Verde", "Republic of Cabo Verde"),
    "Cambodia": ("Kingdom of Cambodia",),
    "Cameroon": ("Republic of Cameroon",),
    "Canada": (),
    "Central African Republic": ("CAR",),
    "Chad": ("Republic of Chad",),
    "Chile": ("Republic of Chile",),
    "China": ("People's Republic of China", "PRC"),
    "Colombia": ("Republic of Colombia",),
    "Comoros": ("Union of the Comoros",),
    "Congo": ("Republic of the Congo", "Republic of Congo", "Congo-Brazzaville"),
    "Costa Rica": (),
    "Côte d'Ivoire": ("Cote d'Ivoire", "Ivory Coast", "Republic of Côte d'Ivoire"),
    "Croatia": ("Republic of Croatia",),
    "Cuba": ("Republic of Cuba",),
    "Cyprus": ("Republic of Cyprus",),
    "Czech Republic": ("Czechia",),
    "Democratic People's Republic of Korea": ("DPRK", "North Korea"),
    "Democratic Republic of the Congo": (
        "DRC",
        "DR Congo",
        "Democratic Republic of Congo",
        "Congo-Kinshasa",
    ),
    "Denmark": ("Kingdom of Denmark",),
    "Djibouti": ("Republic of Djibouti",),
    "Dominica": ("Commonwealth of Dominica",),
    "Dominican Republic": (),
    "Ecuador": ("Republic of Ecuador",),
    "Egypt": ("Arab Republic of Egypt",),
    "El Salvador": ("Republic of El Salvador",),
    "Equatorial Guinea": ("Republic of Equatorial Guinea",),
    "Eritrea": ("State of Eritrea",),
    "Estonia": ("Republic of Estonia",),
    "Eswatini": ("Swaziland", "Kingdom of Eswatini"),
    "Ethiopia": ("Federal Democratic Republic of Ethiopia",),
    "Fiji": ("Republic of Fiji",),
    "Finland": ("Republic of Finland",),
    "France": ("French Republic",),
    "Gabon": ("Gabonese Republic",),
    "Gambia": ("Republic of the Gambia",),
    "Georgia": (),
    "Germany": ("Federal Republic of Germany",),
    "Ghana": ("Republic of Ghana",),
    "Greece": ("Hellenic Republic",),
    "Grenada": (),
    "Guatemala": ("Republic of Guatemala",),
    "Guinea": ("Republic of Guinea",),
    "Guinea-Bissau": ("Guinea Bissau", "Republic of Guinea-Bissau"),
    "Guyana": ("Co-operative Republic of Guyana",),
    "Haiti": ("Republic of Haiti",),
    "Honduras": ("Republic of Honduras",),
    "Hungary": (),
    "Iceland": (),
    "India": ("Republic of India",),
    "Indonesia": ("Republic of Indonesia",),
    "Iran": ("Islamic Republic of Iran", "Iran (Islamic Republic of)"),
    "Iraq": ("Republic of Iraq",),
    "Ireland": (),
    "Israel": ("State of Israel",),
    "Italy": ("Italian Republic",),
    "Jamaica": (),
    "Japan": (),
    "Jordan": ("Hashemite Kingdom of Jordan",),
    "Kazakhstan": ("Republic of Kazakhstan",),
    "Kenya": ("Republic of Kenya",),
    "Kiribati": (),
    "Kuwait": ("State of Kuwait",),
    "Kyrgyzstan": ("Kyrgyz Republic",),
    "Lao People's Democratic Republic": ("Lao PDR", "Laos"),
    "Latvia": ("Republic of Latvia",),
    "Lebanon": ("Lebanese Republic",),
    "Lesotho": ("Kingdom of Lesotho",),
    "Liberia": ("Republic of Liberia",),
    "Libya": ("State of Libya",),
    "Liechtenstein": ("Principality of Liechtenstein",),
    "Lithuania": ("Republic of Lithuania",),
    "Luxembourg": ("Grand Duchy of Luxembourg",),
    "Madagascar": ("Republic of Madagascar",),
    "Malawi": ("Republic of Malawi",),
    "Malaysia": (),
    "Maldives": ("Republic of Maldives",),
    "Mali": ("Republic of Mali",),
    "Malta": ("Republic of Malta",),
    "Marshall Islands": ("Republic of the Marshall Islands",),
    "Mauritania": ("Islamic Republic of Mauritania",),
    "Mauritius": ("Republic of Mauritius",),
    "Mexico": ("United Mexican States",),
    "Micronesia": ("Federated States of Micronesia", "Micronesia (Federated States of)"),
    "Moldova": ("Republic of Moldova",),
    "Monaco": ("Principality of Monaco",),
    "Mongolia": (),
    "Montenegro": (),
    "Morocco": ("Kingdom of Morocco",),
    "Mozambique": ("Republic of Mozambique",),
    "Myanmar": ("Burma", "Republic of the Union of Myanmar"),
    "Namibia": ("Republic of Namibia",),
    "Nauru": ("Republic of Nauru",),
    "Nepal": (),
    "Netherlands": (
        "the Netherlands",
        "Kingdom of the Netherlands",
        "Netherlands (Kingdom of the)",
    ),
    "New Zealand": ("Aotearoa New Zealand",),
    "Nicaragua": ("Republic of Nicaragua",),
    "Niger": ("Republic of the Niger", "Republic of Niger"),
    "Nigeria": ("Federal Republic of Nigeria",),
    "North Macedonia": ("Republic of North Macedonia",),
    "Norway": ("Kingdom of Norway",),
    "Oman": ("Sultanate of Oman",),
    "Pakistan": ("Islamic Republic of Pakistan",),
    "Palau": ("Republic of Palau",),
    "Panama": ("Republic of Panama",),
    "Papua New Guinea": (),
    "Paraguay": ("Republic of Paraguay",),
    "Peru": ("Republic of Peru",),
    "Philippines": ("Republic of the Philippines",),
    "Poland": ("Republic of Poland",),
    "Portugal": ("Portuguese Republic",),
    "Qatar": ("State of Qatar",),
    "Republic of Korea": ("South Korea", "ROK"),
    "Romania": (),
    "Russian Federation": ("Russia", "the Russian Federation"),
    "Rwanda": ("Republic of Rwanda",),
    "Saint Kitts and Nevis": ("St. Kitts and Nevis", "St Kitts and Nevis"),
    "Saint Lucia": ("St. Lucia", "St Lucia"),
    "Saint Vincent and the Grenadines": (
        "St. Vincent and the Grenadines",
        "St Vincent and the Grenadines",
    ),
    "Samoa": ("Independent State of Samoa",),
    "San Marino": ("Republic of San Marino",),
    "Sao Tome and Principe": ("São Tomé and Príncipe",),
    "Saudi Arabia": ("Kingdom of Saudi Arabia", "KSA"),
    "Senegal": ("Republic of Senegal",),
    "Serbia": ("Republic of Serbia",),
    "Seychelles": ("Republic of Seychelles",),
    "Sierra Leone": ("Republic of Sierra Leone",),
    "Singapore": ("Republic of Singapore",),
    "Slovakia": ("Slovak Republic",),
    "Slovenia": ("Republic of Slovenia",),
    "Solomon Islands": (),
    "Somalia": ("Federal Republic of Somalia",),
    "South Africa": ("Republic of South Africa",),
    "South Sudan": ("Republic of South Sudan",),
    "Spain": ("Kingdom of Spain",),
    "Sri Lanka": ("Democratic Socialist Republic of Sri Lanka",),
    "Sudan": ("Republic of the Sudan", "Republic of Sudan"),
    "Suriname": ("Republic of Suriname",),
    "Sweden": ("Kingdom of Sweden",),
    "Switzerland": ("Swiss Confederation",),
    "Syrian Arab Republic": ("Syria",),
    "Tajikistan": ("Republic of Tajikistan",),
    "Tanzania": ("United Republic of Tanzania",),
    "Thailand": ("Kingdom of Thailand",),
    "Timor-Leste": ("East Timor", "Timor Leste", "Democratic Republic of Timor-Leste"),
    "Togo": ("Togolese Republic",),
    "Tonga": ("Kingdom of Tonga",),
    "Trinidad and Tobago": (),
    "Tunisia": ("Republic of Tunisia",),
    "Türkiye": ("Turkey", "Turkiye", "Republic of Türkiye"),
    "Turkmenistan": (),
    "Tuvalu": (),
    "Uganda": ("Republic of Uganda",),
    "Ukraine": (),
    "United Arab Emirates": ("UAE",),
    "United Kingdom": (
        "UK",
        "U.K.",
        "United Kingdom of Great Britain and Northern Ireland",
        "Britain",
        "Great Britain",
    ),
    "United States": (
        "US",
        "U.S.",
        "USA",
        "U.S.A.",
        "United States of America",
        "America",
    ),
    "Uruguay": ("Oriental Republic of Uruguay",),
    "Uzbekistan": ("Republic of Uzbekistan",),
    "Vanuatu": ("Republic of Vanuatu",),
    "Venezuela": ("Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)"),
    "Viet Nam": ("Vietnam", "Socialist Republic of Viet Nam", "Socialist Republic of Vietnam"),
    "Yemen": ("Republic of Yemen",),
    "Zambia": ("Republic of Zambia",),
    "Zimbabwe": ("Republic of Zimbabwe",),
    # Observer states
    "Holy See": ("Vatican", "Vatican City"),
    "State of Palestine": ("Palestine",),
}

MEMBER_STATES: tuple[str, ...] = tuple(s for s in STATES if s not in OBSERVER_STATES)

# Ambiguous demonyms are deliberately absent: Korean, Congolese, Dominican,
# Guinean, Central African, Macedonian.
STATE_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("Afghan",),
    "Albania": ("Albanian",),
    "Algeria": ("Algerian",),
    "Andorra": ("Andorran",),
    "Angola": ("Angolan",),
    "Argentina": ("Argentine", "Argentinian"),
    "Armenia": ("Armenian",),
    "Australia": ("Australian",),
    "Austria": ("Austrian",),
    "Azerbaijan": ("Azerbaijani",),
    "Bahamas": ("Bahamian",),
    "Bahrain": ("Bahraini",),
    "Bangladesh": ("Bangladeshi",),
    "Barbados": ("Barbadian",),
    "Belarus": ("Belarusian", "Belarussian"),
    "Belgium": ("Belgian",),
    "Belize": ("Belizean",),
    "Benin": ("Beninese",),
    "Bhutan": ("Bhutanese",),
    "Bolivia": ("Bolivian",),
    "Bosnia and Herzegovina": ("Bosnian",),
    "Botswana": ("Botswanan",),
    "Brazil": ("Brazilian",),
    "Brunei Darussalam": ("Bruneian",),
    "Bulgaria": ("Bulgarian",),
    "Burkina Faso": ("Burkinabe", "Burkinabè"),
    "Burundi": ("Burundian",),
    "Cabo Verde": ("Cabo Verdean", "Cape Verdean"),
    "Cambodia": ("Cambodian",),
    "Cameroon": ("Cameroonian",),
    "Canada": ("Canadian",),
    "Chad": ("Chadian",),
    "Chile": ("Chilean",),
    "China": ("Chinese",),
    "Colombia": ("Colombian",),
    "Comoros": ("Comorian",),
    "Costa Rica": ("Costa Rican",),
    "Côte d'Ivoire": ("Ivorian",),
    "Croatia": ("Croatian",),
    "Cuba": ("Cuban",),
    "Cyprus": ("Cypriot",),
    "Czech Republic": ("Czech",),
    "Democratic People's Republic of Korea": ("North Korean",),
    "Denmark": ("Danish",),
    "Djibouti": ("Djiboutian",),
    "Ecuador": ("Ecuadorian",),
    "Egypt": ("Egyptian",),
    "El Salvador": ("Salvadoran", "Salvadorean"),
    "Equatorial Guinea": ("Equatorial Guinean",),
    "Eritrea": ("Eritrean",),
    "Estonia": ("Estonian",),
    "Ethiopia": ("Ethiopian",),
    "Fiji": ("Fijian",),
    "Finland": ("Finnish",),
    "France": ("French",),
    "Gabon": ("Gabonese",),
    "Gambia": ("Gambian",),
    "Georgia": ("Georgian",),
    "Germany": ("German",),
    "Ghana": ("Ghanaian",),
    "Greece": ("Greek",),
    "Grenada": ("Grenadian",),
    "Guatemala": ("Guatemalan",),
    "Guinea-Bissau": ("Bissau-Guinean",),
    "Guyana": ("Guyanese",),
    "Haiti": ("Haitian",),
    "Honduras": ("Honduran",),
    "Hungary": ("Hungarian",),
    "Iceland": ("Icelandic",),
    "India": ("Indian",),
    "Indonesia": ("Indonesian",),
    "Iran": ("Iranian",),
    "Iraq": ("Iraqi",),
    "Ireland": ("Irish",),
    "Israel": ("Israeli",),
    "Italy": ("Italian",),
    "Jamaica": ("Jamaican",),
    "Japan": ("Japanese",),
    "Jordan": ("Jordanian",),
    "Kazakhstan": ("Kazakh", "Kazakhstani"),
    "Kenya": ("Kenyan",),
    "Kuwait": ("Kuwaiti",),
    "Kyrgyzstan": ("Kyrgyz",),
    "Lao People's Democratic Republic": ("Lao", "Laotian"),
    "Latvia": ("Latvian",),
    "Lebanon": ("Lebanese",),
    "Liberia": ("Liberian",),
    "Libya": ("Libyan",),
    "Lithuania": ("Lithuanian",),
    "Madagascar": ("Malagasy",),
    "Malawi": ("Malawian",),
    "Malaysia": ("Malaysian",),
    "Maldives": ("Maldivian",),
    "Mali": ("Malian",),
    "Malta": ("Maltese",),
    "Marshall Islands": ("Marshallese",),
    "Mauritania": ("Mauritanian",),
    "Mauritius": ("Mauritian",),
    "Mexico": ("Mexican",),
    "Micronesia": ("Micronesian",),
    "Moldova": ("Moldovan",),
    "Monaco": ("Monegasque",),
    "Mongolia": ("Mongolian",),
    "Montenegro": ("Montenegrin",),
    "Morocco": ("Moroccan",),
    "Mozambique": ("Mozambican",),
    "Myanmar": ("Burmese",),
    "Namibia": ("Namibian",),
    "Nauru": ("Nauruan",),
    "Nepal": ("Nepalese", "Nepali"),
    "Netherlands": ("Dutch",),
    "Nicaragua": ("Nicaraguan",),
    "Niger": ("Nigerien",),
    "Nigeria": ("Nigerian",),
    "North Macedonia": ("North Macedonian",),
    "Norway": ("Norwegian",),
    "Oman": ("Omani",),
    "Pakistan": ("Pakistani",),
    "Palau": ("Palauan",),
    "Panama": ("Panamanian",),
    "Papua New Guinea": ("Papua New Guinean",),
    "Paraguay": ("Paraguayan",),
    "Peru": ("Peruvian",),
    "Philippines": ("Philippine", "Filipino"),
    "Poland": ("Polish",),
    "Portugal": ("Portuguese",),
    "Qatar": ("Qatari",),
    "Republic of Korea": ("South Korean",),
    "Romania": ("Romanian",),
    "Russian Federation": ("Russian",),
    "Rwanda": ("Rwandan",),
    "Saint Lucia": ("Saint Lucian",),
    "Saint Vincent and the Grenadines": ("Vincentian",),
    "Samoa": ("Samoan",),
    "San Marino": ("Sammarinese",),
    "Saudi Arabia": ("Saudi", "Saudi Arabian"),
    "Senegal": ("Senegalese",),
    "Serbia": ("Serbian",),
    "Seychelles": ("Seychellois",),
    "Sierra Leone": ("Sierra Leonean",),
    "Singapore": ("Singaporean",),
    "Slovakia": ("Slovak",),
    "Slovenia": ("Slovenian", "Slovene"),
    "Somalia": ("Somali",),
    "South Africa": ("South African",),
    "South Sudan": ("South Sudanese",),
    "Spain": ("Spanish",),
    "Sri Lanka": ("Sri Lankan",),
    "Sudan": ("Sudanese",),
    "Suriname": ("Surinamese",),
    "Sweden": ("Swedish",),
    "Switzerland": ("Swiss",),
    "Syrian Arab Republic": ("Syrian",),
    "Tajikistan": ("Tajik",),
    "Tanzania": ("Tanzanian",),
    "Thailand": ("Thai",),
    "Timor-Leste": ("Timorese",),
    "Togo": ("Togolese",),
    "Tonga": ("Tongan",),
    "Trinidad and Tobago": ("Trinidadian",),
    "Tunisia": ("Tunisian",),
    "Türkiye": ("Turkish",),
    "Turkmenistan": ("Turkmen",),
    "Tuvalu": ("Tuvaluan",),
    "Uganda": ("Ugandan",),
    "Ukraine": ("Ukrainian",),
    "United Arab Emirates": ("Emirati",),
    "United Kingdom": ("British",),
    "United States": ("American",),
    "Uruguay": ("Uruguayan",),
    "Uzbekistan": ("Uzbek",),
    "Venezuela": ("Venezuelan",),
    "Viet Nam": ("Vietnamese",),
    "Yemen": ("Yemeni",),
    "Zambia": ("Zambian",),
    "Zimbabwe": ("Zimbabwean",),
    "State of Palestine": ("Palestinian",),
}

# --------------------------------------------------------------------------
# Groups and intergovernmental organisations
# --------------------------------------------------------------------------

GROUPS: dict[str, tuple[str, ...]] = {
    "African Group": ("Group of African States", "Africa Group", "African group"),
    "Arab Group": ("Group of Arab States", "Arab group"),
    "Asia-Pacific Group": ("Group of Asia-Pacific States", "Asia-Pacific States", "Asia Pacific Group"),
    "Eastern European Group": ("Group of Eastern European States", "EEG"),
    "Group of Latin American and Caribbean States": ("GRULAC", "Latin American and Caribbean Group"),
    "Western European and Others Group": ("WEOG",),
    "European Union": ("EU", "the European Union"),
    "Nordic-Baltic countries": (
        "Nordic-Baltic states",
        "NB8",
        "Nordic Baltic countries",
        "Nordic Baltic states",
        "Nordic and Baltic countries",
        "Nordic and Baltic states",
        "Nordic-Baltic Eight",
        "Nordic-Baltic group",
    ),
    "Nordic countries": ("Nordic states",),
    "Baltic states": ("Baltic States", "Baltic countries"),
    "Benelux": ("Benelux countries",),
    "Group of Friends in Defence of the Charter of the United Nations": (
        "Group of Friends in Defence of the UN Charter",
        "Group of Friends in Defense of the Charter of the United Nations",
        "Group of Friends in Defense of the UN Charter",
        "Group of Friends",
    ),
    "Organisation of Islamic Cooperation": ("OIC", "Organization of Islamic Cooperation"),
    "Non-Aligned Movement": ("NAM", "Non Aligned Movement", "Movement of Non-Aligned Countries"),
    "Like-Minded Group": (
        "LMG",
        "Like Minded Group",
        "Like-Minded Group of developing countries",
        "Like-Minded Group of Developing Countries",
    ),
    "Gulf Cooperation Council": ("GCC", "Cooperation Council for the Arab States of the Gulf"),
    "Group of 77 and China": ("G77", "G-77", "G77 and China", "G-77 and China", "Group of 77"),
    "Community of Latin American and Caribbean States": ("CELAC",),
    "Core Group": ("core group",),
    "Cross-regional group": (
        "Cross-Regional Group",
        "cross-regional group",
        "Cross-regional group of countries",
        "cross-regional group of countries",
        "cross-regional group of States",
    ),
    "Small Island Developing States": ("SIDS", "small island developing States"),
    "Least Developed Countries": ("LDCs", "LDC Group", "least developed countries"),
    "Landlocked Developing Countries": ("LLDCs", "landlocked developing countries"),
    "Association of Southeast Asian Nations": ("ASEAN",),
    "Caribbean Community": ("CARICOM",),
    "Pacific Islands Forum": ("PIF",),
    "Community of Portuguese Language Countries": ("CPLP", "Community of Portuguese-Speaking Countries"),
    "BRICS": (),
}

IGOS: dict[str, tuple[str, ...]] = {
    "European Union": ("EU", "the European Union"),
    "Organisation of Islamic Cooperation": ("OIC", "Organization of Islamic Cooperation"),
    "African Union": ("AU",),
    "Council of Europe": ("CoE",),
    "Organization for Security and Co-operation in Europe": (
        "OSCE",
        "Organisation for Security and Co-operation in Europe",
        "Organization for Security and Cooperation in Europe",
    ),
    "International Organisation of la Francophonie": (
        "OIF",
        "Francophonie",
        "International Organization of la Francophonie",
        "Organisation internationale de la Francophonie",
    ),
    "League of Arab States": ("Arab League", "LAS"),
    "Commonwealth": ("Commonwealth Secretariat", "Commonwealth of Nations"),
    "Commonwealth of Independent States": ("CIS",),
    "Gulf Cooperation Council": ("GCC", "Cooperation Council for the Arab States of the Gulf"),
    "Association of Southeast Asian Nations": ("ASEAN",),
    "Caribbean Community": ("CARICOM",),
    "Pacific Islands Forum": ("PIF", "Pacific Islands Forum Secretariat"),
    "Community of Portuguese Language Countries": ("CPLP", "Community of Portuguese-Speaking Countries"),
    "Organization of American States": ("OAS",),
    "Economic Community of West African States": ("ECOWAS",),
    "Organisation of African, Caribbean and Pacific States": (
        "OACPS",
        "Organization of African, Caribbean and Pacific States",
    ),
    "Inter-Parliamentary Union": ("IPU",),
    "Sovereign Order of Malta": ("Sovereign Military Order of Malta", "Order of Malta"),
    "International Committee of the Red Cross": ("ICRC",),
    "International Federation of Red Cross and Red Crescent Societies": ("IFRC",),
    "International Criminal Court": ("ICC",),
    "International Development Law Organization": ("IDLO",),
    "International Labour Organization": (
        "ILO",
        "International Labour Organisation",
        "International Labor Organization",
    ),
    "International Organization for Migration": ("IOM",),
    "Office of the High Commissioner for Human Rights": (
        "OHCHR",
        "Office of the United Nations High Commissioner for Human Rights",
        "UN Human Rights Office",
    ),
    "Office of the United Nations High Commissioner for Refugees": ("UNHCR", "UN Refugee Agency"),
    "United Nations Children's Fund": ("UNICEF",),
    "United Nations Development Programme": ("UNDP",),
    "United Nations Population Fund": ("UNFPA",),
    "United Nations Educational, Scientific and Cultural Organization": ("UNESCO",),
    "United Nations Office on Drugs and Crime": ("UNODC",),
    "UN Women": ("UN-Women", "United Nations Entity for Gender Equality and the Empowerment of Women"),
    "World Health Organization": ("WHO", "World Health Organisation"),
    "World Food Programme": ("WFP",),
    "Food and Agriculture Organization": ("FAO", "Food and Agriculture Organization of the United Nations"),
}

# Phrases that contain a name (or adjective) without referring to that speaker.
NON_NAMES: tuple[str, ...] = (
    "American Samoa",
    "Northern Ireland",
    "New Guinea",
    "Gulf of Guinea",
    "Niger Delta",
    "Niger River",
    "River Niger",
    "Congo Basin",
    "Congo River",
    "River Congo",
    "Lake Chad",
    "Jordan Valley",
    "Jordan River",
    "New Mexico",
    "Latin America",
    "Latin American",
    "South America",
    "South American",
    "North America",
    "North American",
    "Central America",
    "Central American",
    "Inter-American",
    "Pan-American",
    "American Convention",
    "South China Sea",
    "East China Sea",
    "Chinese Taipei",
    "Indian Ocean",
    "French Guiana",
    "French Polynesia",
    "British Virgin Islands",
    "British Columbia",
)


@dataclass(frozen=True)
class NameMatch:
    canonical: str
    kind: Kind
    form: Form  # acronym = all-caps alias (UK, DPRK, EU); adjective = from STATE_ADJECTIVES
    start: int  # span in the searched text
    end: int
    text: str  # the matched text as written


# --------------------------------------------------------------------------
# Lookup tables (built on first use)
# --------------------------------------------------------------------------

_KIND_RANK = {"state": 0, "igo": 1, "group": 2}
_FORM_RANK = {"name": 0, "acronym": 1, "adjective": 2}
_NON = "_non"  # kind of a NON_NAMES entry
_APOSTROPHES = "'’‘"
_ARTICLE_WORDS = frozenset(
    "Republic Kingdom States State Federation Emirates Islands See Union "
    "Principality Duchy Sultanate Confederation PDR".split()
)
_ARTICLE_NAMES = frozenset(
    "Gambia Sudan Niger Congo Netherlands Philippines Bahamas Comoros Maldives Seychelles Vatican".split()
    + ["Ivory Coast", "DR Congo"]
)


@dataclass(frozen=True)
class _Entry:
    canonical: str
    kind: str
    form: str
    article: bool  # a directly preceding "the" belongs to the match

    @property
    def rank(self) -> tuple[int, int]:
        return (_KIND_RANK.get(self.kind, -1), _FORM_RANK[self.form])


def _norm(s: str) -> str:
    """Apostrophes to ', whitespace runs to one space, trimmed."""
    for a in _APOSTROPHES[1:]:
        s = s.replace(a, "'")
    return " ".join(s.split())


def _is_acronym(alias: str) -> bool:
    if not alias or " " in alias or not alias[0].isupper():
        return False
    caps = sum(c.isupper() for c in alias)
    strong = caps + sum(c.isdigit() for c in alias)
    return strong >= 2 and caps > sum(c.islower() for c in alias)


def _takes_article(alias: str, kind: str, form: str) -> bool:
    if form == "adjective":
        return False
    alias = alias.split("(")[0].strip()  # "Netherlands (Kingdom of the)" -> "Netherlands"
    if kind in ("group", "igo") or form == "acronym":
        return True
    return alias in _ARTICLE_NAMES or any(w in _ARTICLE_WORDS for w in alias.split())


@cache
def _tables() -> tuple[dict[str, tuple[_Entry, ...]], dict[str, tuple[_Entry, ...]], dict[str, tuple[_Entry, ...]]]:
    """(exact, folded names, folded acronyms): normalised alias -> entries."""
    pairs: list[tuple[str, _Entry]] = []

    def add(alias: str, canonical: str, kind: str, adjective: bool = False) -> None:
        text = _norm(alias)
        article = False
        if text[:4].lower() == "the ":
            text, article = text[4:], True
        form = "adjective" if adjective else ("acronym" if _is_acronym(text) else "name")
        article = article or _takes_article(text, kind, form)
        pairs.append((text, _Entry(canonical, kind, form, article)))

    for kind, table in (("state", STATES), ("igo", IGOS), ("group", GROUPS)):
        for canonical, aliases in table.items():
            for alias in (canonical, *aliases):
                add(alias, canonical, kind)
    for canonical, adjectives in STATE_ADJECTIVES.items():
        for adj in adjectives:
            add(adj, canonical, "state", adjective=True)
    for phrase in NON_NAMES:
        add(phrase, phrase, _NON)

    exact: dict[str, list[_Entry]] = {}
    folded: dict[str, list[_Entry]] = {}
    folded_acronyms: dict[str, list[_Entry]] = {}
    for text, entry in pairs:
        for table, key in (
            (exact, text),
            (folded_acronyms if entry.form == "acronym" else folded, text.lower()),
        ):
            bucket = table.setdefault(key, [])
            if entry not in bucket:
                bucket.append(entry)

    def freeze(d: dict[str, list[_Entry]]) -> dict[str, tuple[_Entry, ...]]:
        return {k: tuple(sorted(v, key=lambda e: e.rank)) for k, v in d.items()}

    return freeze(exact), freeze(folded), freeze(folded_acronyms)


def _trie_regex(keys: Iterable[str]) -> str:
    """A regex for any of `keys`, prefix-factored, longest alternative first.

    A space in a key matches any whitespace run; an apostrophe matches ' ’ ‘.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def atom(ch: str) -> str:
        if ch == " ":
            return r"\s+"
        if ch == "'":
            return "['’‘]"
        return re.escape(ch)

    def emit(node: dict) -> str:
        alts = [atom(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:  # a key ends here: try the longer continuations first
            return "(?:" + body + ")?"
        return body

    return emit(trie)


@cache
def _regex(ignore_case: bool, adjectives: bool) -> re.Pattern[str]:
    exact, _, _ = _tables()
    names: set[str] = set()
    acronyms: set[str] = set()
    for key, entries in exact.items():
        forms = {e.form for e in entries}
        if forms == {"adjective"} and not adjectives:
            continue
        if "acronym" in forms:
            acronyms.add(key)
        else:
            names.add(key.lower() if ignore_case else key)
    if ignore_case:
        article = "(?i:the)"
        body = f"(?:(?i:{_trie_regex(names)})|{_trie_regex(acronyms)})"
    else:
        article = "[Tt]he"
        body = _trie_regex(names | acronyms)
    return re.compile(
        rf"(?<!\w)(?:(?P<art>{article})\s+)?(?P<name>{body})(?!\w)"
        r"(?:[ \t]*\((?P<paren>[^()\n]{1,60})\))?"
    )


def _lookup(text: str, ignore_case: bool, adjectives: bool) -> tuple[_Entry, ...]:
    exact, folded, _ = _tables()
    key = _norm(text)
    found = list(exact.get(key, ()))
    if ignore_case:
        found += [e for e in folded.get(key.lower(), ()) if e not in found]
    if not adjectives:
        found = [e for e in found if e.form != "adjective"]
    return tuple(sorted(found, key=lambda e: e.rank))


def _check_kinds(kinds: Iterable[str] | str) -> frozenset[str]:
    wanted = frozenset((kinds,) if isinstance(kinds, str) else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; expected some of {KINDS}")
    return wanted


def _resolve(
    m: re.Match[str], text: str, kinds: frozenset[str], ignore_case: bool, adjectives: bool
) -> tuple[NameMatch | None, int]:
    """The NameMatch for regex match `m` (or None) and where to search next."""
    name_end = m.end("name")
    entries = _lookup(m.group("name"), ignore_case, adjectives)
    if not entries or entries[0].kind == _NON:
        return None, name_end
    allowed = [e for e in entries if e.kind in kinds]
    if not allowed:
        return None, name_end
    best = allowed[0]
    start = m.start("art") if m.group("art") is not None and best.article else m.start("name")
    end = name_end
    paren = m.group("paren")
    if paren is not None and any(
        e.canonical == best.canonical for e in _lookup(paren, ignore_case, adjectives)
    ):
        end = m.end()
    return (
        NameMatch(best.canonical, best.kind, best.form, start, end, text[start:end]),  # type: ignore[arg-type]
        end,
    )


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def find_names(
    text: str,
    kinds: Iterable[str] | str = KINDS,
    *,
    ignore_case: bool = False,
    adjectives: bool = False,
) -> list[NameMatch]:
    """Every non-overlapping name of the given kinds in `text`, sorted by start.

    Longest name wins ("Democratic Republic of the Congo" over "Congo"); whole
    words only; a leading "the" is included for names that take the article;
    a trailing "(ACRONYM)" of the same speaker is part of the match.  With
    ignore_case, names match in any case but acronyms still only as written
    ("us" is never the United States).  With adjectives, demonyms
    ("French") match too, as form "adjective".
    """
    wanted = _check_kinds(kinds)
    rx = _regex(bool(ignore_case), bool(adjectives))
    found: list[NameMatch] = []
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        match, pos = _resolve(m, text, wanted, ignore_case, adjectives)
        if match is not None:
            found.append(match)
    return found


def match_at_start(
    text: str,
    kinds: Iterable[str] | str = KINDS,
    *,
    ignore_case: bool = False,
    adjectives: bool = False,
) -> NameMatch | None:
    """The name that begins `text` (after leading whitespace and an optional "The "), or None."""
    wanted = _check_kinds(kinds)
    rx = _regex(bool(ignore_case), bool(adjectives))
    m = rx.match(text, len(text) - len(text.lstrip()))
    if m is None:
        return None
    match, _ = _resolve(m, text, wanted, ignore_case, adjectives)
    return match


def canonical_name(name: str) -> tuple[str, str] | None:
    """(canonical, kind) for a whole name, alias or adjective, or None.

    Case-insensitive (an exact-case hit is preferred), apostrophes normalised;
    a leading "the", a trailing parenthetical such as "(UK)" and a possessive
    ("Russia's", "Belarus'") are ignored.  When a name has several kinds the
    precedence is state > igo > group.
    """
    exact, folded, folded_acronyms = _tables()
    key = _norm(name)
    candidates = [key]
    if key[:4].lower() == "the ":
        candidates.append(key[4:].lstrip())
    for c in list(candidates):
        if c.endswith(")") and "(" in c:
            candidates.append(c[: c.rfind("(")].rstrip())
    for c in list(candidates):
        if c.endswith("'s"):
            candidates.append(c[:-2])
        elif c.endswith("'"):
            candidates.append(c[:-1])
    for table, fold in ((exact, False), (folded, True), (folded_acronyms, True)):
        for c in candidates:
            entries = [e for e in table.get(c.lower() if fold else c, ()) if e.kind != _NON]
            if entries:
                return entries[0].canonical, entries[0].kind
    return None


def all_aliases(canonical: str) -> tuple[str, ...]:
    """The canonical name, its aliases and its adjectives, without duplicates.

    Accepts any alias too (it is resolved with `canonical_name`); () when unknown.
    """
    names: list[str] = []
    for table in (STATES, IGOS, GROUPS):
        if canonical in table:
            names += [canonical, *table[canonical]]
    if not names:
        resolved = canonical_name(canonical)
        return all_aliases(resolved[0]) if resolved else ()
    names += STATE_ADJECTIVES.get(canonical, ())
    return tuple(dict.fromkeys(names))
