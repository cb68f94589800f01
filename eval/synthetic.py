"""Synthetic interactive-dialogue summaries shaped like the Geneva Centre series.

`generate_corpus(out_dir, n, seed)` writes `n` distinct `.txt` documents: a title
block, a presentation by a panel member (2-4 paragraphs), the country
concerned, 15-45 state statements with varied openings and markup, one IGO,
3-9 NGOs, page breaks (3 blank lines) every ~4 paragraphs and a facts & figures
block that matches the content. Sentences come from a bank of topical clauses
so retrieval has real material. Deterministic for a seed; never touches data/.

    python -m eval.synthetic OUT_DIR N [SEED]
"""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

STATES = [s.strip() for s in """
Albania, Algeria, Angola, Argentina, Armenia, Australia, Austria, Azerbaijan, Bahrain, Bangladesh,
Belgium, Benin, Bolivia, Botswana, Brazil, Bulgaria, Burkina Faso, Cambodia, Cameroon, Canada,
Chile, China, Colombia, Costa Rica, Côte d'Ivoire, Croatia, Cuba, Cyprus, Czech Republic, Denmark,
Djibouti, Ecuador, Egypt, Estonia, Ethiopia, Fiji, Finland, France, Gabon, Gambia, Georgia, Germany,
Ghana, Greece, Guatemala, Honduras, Iceland, India, Indonesia, Iraq, Ireland, Israel, Italy, Japan,
Jordan, Kazakhstan, Kenya, Kuwait, Kyrgyzstan, Lao PDR, Latvia, Lebanon, Liechtenstein, Lithuania,
Luxembourg, Malawi, Malaysia, Maldives, Malta, Mauritius, Mexico, Montenegro, Morocco, Mozambique,
Namibia, Nepal, Netherlands, New Zealand, Nigeria, Norway, Oman, Pakistan, Panama, Paraguay, Peru,
Philippines, Poland, Portugal, Qatar, Republic of Korea, Romania, Russian Federation, Saudi Arabia,
Senegal, Sierra Leone, Slovenia, South Africa, Spain, Sri Lanka, Sudan, Sweden, Switzerland,
Thailand, Togo, Tunisia, Türkiye, Uganda, Ukraine, United Kingdom, United States, Uruguay,
Uzbekistan, Venezuela, Viet Nam, Zambia, Zimbabwe""".split(",")]
# States whose name reads "The X" at the start of a sentence.
WITH_THE = {"Czech Republic", "Gambia", "Lao PDR", "Netherlands", "Philippines", "Republic of Korea",
            "Russian Federation", "United Kingdom", "United States"}
# States that, in this corpus, defend the country concerned.
SUPPORTIVE = {"China", "Cuba", "Russian Federation", "Venezuela", "Lao PDR", "Zimbabwe", "Egypt",
              "Pakistan", "Sri Lanka", "Viet Nam", "Cambodia", "Sudan", "Algeria", "Bolivia",
              "Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Azerbaijan", "Ethiopia", "Djibouti"}
GROUPS = {"African Group": ["Côte d'Ivoire", "Cameroon", "Gabon", "Togo", "Senegal"],
          "Nordic-Baltic countries": ["Estonia", "Iceland", "Lithuania", "Norway", "Latvia"],
          "Group of Friends in Defence of the UN Charter": ["Venezuela", "Cuba", "Bolivia"],
          "Like-Minded Group": ["Pakistan", "Egypt", "Sri Lanka"],
          "Benelux countries": ["Belgium", "Luxembourg", "Netherlands"]}
CONCERNED = ["Myanmar", "Afghanistan", "Eritrea", "Nicaragua", "South Sudan", "Syrian Arab Republic",
             "Burundi", "Mali", "Haiti", "Somalia", "Central African Republic", "Libya", "Cambodia",
             "Democratic People's Republic of Korea", "Iran", "Belarus", "Yemen", "Sudan", "Ukraine",
             "Democratic Republic of the Congo", "Georgia", "Venezuela"]
CONCERNED_WITH_THE = {"Syrian Arab Republic", "Central African Republic", "Democratic People's Republic of Korea",
                      "Democratic Republic of the Congo"}
MANDATES = [  # (title, panel role, short holder)
    ("the Special Rapporteur on the Situation of Human Rights in {c}",
     "Special Rapporteur on the situation of human rights in {c}", "the Special Rapporteur"),
    ("the Independent Expert on the Situation of Human Rights in {c}",
     "Independent Expert on the situation of human rights in {c}", "the Independent Expert"),
    ("the Commission of Inquiry on {c}", "Chair of the Commission of Inquiry on {c}", "the Commission"),
    ("the Group of Experts on the Situation of Human Rights in {c}",
     "Chair of the Group of Experts on the Situation of Human Rights in {c}", "the Group of Experts"),
    ("the Fact-Finding Mission on {c}", "Chair of the Fact-Finding Mission on {c}", "the Mission"),
]
FIRST = {"Ms.": ["Amina", "Ingrid", "Leila", "Marta", "Priya", "Sahar", "Yuki", "Elżbieta", "Daniela"],
         "Mr.": ["Carlos", "Kofi", "Nils", "Rodrigo", "Tomás", "Ousmane", "Clément", "Farid"]}
LAST = ["Kourouma", "Vasquez", "Lindqvist", "Mensah", "Haddad", "Novak", "Berger", "Raman",
        "Echeverría", "Karimi", "Ferreira", "Tanaka", "Wiśniewska", "Diallo", "Moreau", "Ortega"]
IGOS = ["European Union", "African Union", "Organisation of Islamic Cooperation",
        "Organisation internationale de la Francophonie", "Council of Europe"]
NGOS = ["Amnesty International", "Human Rights Watch", "CIVICUS", "International Commission of Jurists (ICJ)",
        "International Service for Human Rights", "World Organisation Against Torture (OMCT)", "Article 19",
        "Reporters Without Borders", "Human Rights House Foundation", "DefendDefenders", "UN Watch",
        "International Federation for Human Rights Leagues (FIDH)", "Minority Rights Group",
        "Lawyers for Lawyers", "Center for Reproductive Rights", "International Lesbian and Gay Association",
        "International Bar Association's Human Rights Institute (IBAHRI)", "Front Line Defenders"]
# Sessions 50-60: first day and length in days.
SESSIONS = {50: (date(2022, 6, 13), 25), 51: (date(2022, 9, 12), 26), 52: (date(2023, 2, 27), 36),
            53: (date(2023, 6, 19), 25), 54: (date(2023, 9, 11), 32), 55: (date(2024, 2, 26), 38),
            56: (date(2024, 6, 18), 24), 57: (date(2024, 9, 9), 32), 58: (date(2025, 2, 24), 38),
            59: (date(2025, 6, 16), 23), 60: (date(2025, 9, 8), 30)}

# Predicates: (topic, stance, text). {c} = country concerned, {h} = mandate holder.
# stance: "c" critical, "s" supportive, "n" neutral, "p" panel only, "x" the country concerned itself.
CLAUSES = [
    ("political prisoners", "c", "calls for the immediate and unconditional release of all political prisoners in {c}"),
    ("political prisoners", "c", "is alarmed that hundreds of people remain behind bars in {c} for their political opinions"),
    ("political prisoners", "p", "documented the cases of more than 400 persons detained on politically motivated charges"),
    ("political prisoners", "n", "takes note of the recent release of several detainees and encourages further releases"),
    ("death penalty", "c", "urges the authorities of {c} to establish an immediate moratorium on executions with a view to abolishing the death penalty"),
    ("death penalty", "c", "deplores the rise in death sentences handed down after unfair trials"),
    ("death penalty", "p", "recorded executions carried out in secret, without notice to families or lawyers"),
    ("elections", "c", "regrets that the recent elections in {c} were held without genuine opposition candidates"),
    ("elections", "c", "calls for an inclusive electoral process in which opposition parties can campaign freely"),
    ("elections", "s", "commends {c} for the peaceful conduct of its recent elections, which reflected the will of the people"),
    ("elections", "p", "observed that opposition candidates were barred from registering ahead of the elections"),
    ("torture", "c", "is deeply concerned by credible reports of torture and ill-treatment in places of detention"),
    ("torture", "c", "calls for prompt, independent and impartial investigations into all allegations of torture"),
    ("torture", "p", "received consistent testimony of beatings, stress positions and sexual violence during interrogation"),
    ("torture", "n", "encourages {c} to ratify the Optional Protocol to the Convention against Torture"),
    ("civic space", "c", "deplores the continued shrinking of civic space and the forced dissolution of civil society organisations"),
    ("civic space", "c", "urges {c} to repeal laws that criminalise peaceful assembly and association"),
    ("civic space", "p", "found that more than 200 civil society organisations were liquidated during the reporting period"),
    ("journalists", "c", "condemns the arrest and prosecution of journalists and bloggers for their reporting"),
    ("journalists", "c", "calls on {c} to guarantee the safety of media workers and to restore access to independent media"),
    ("journalists", "p", "documented the blocking of news websites and the detention of at least twenty journalists"),
    ("human rights defenders", "c", "pays tribute to the courage of human rights defenders working under constant threat of reprisals"),
    ("human rights defenders", "c", "is concerned by reprisals against those who cooperate with the United Nations"),
    ("sanctions", "s", "stresses that unilateral coercive measures imposed on {c} undermine the enjoyment of economic and social rights"),
    ("sanctions", "s", "calls for the immediate lifting of all unilateral coercive measures, which hit the most vulnerable"),
    ("sanctions", "p", "noted that sanctions and the economic crisis have aggravated shortages of food and medicines"),
    ("sovereignty", "s", "rejects country-specific mandates established without the consent of the country concerned"),
    ("sovereignty", "s", "opposes any interference in the internal affairs of {c} under the pretext of human rights"),
    ("sovereignty", "s", "respects the right of the people of {c} to choose their own development path"),
    ("sovereignty", "s", "denounces the politicisation, selectivity and double standards that undermine the Council"),
    ("cooperation", "c", "regrets that {c} continues to deny access to {h}"),
    ("cooperation", "n", "encourages {c} to engage constructively with {h} and with the Office of the High Commissioner"),
    ("cooperation", "s", "welcomes the engagement of {c} with the Universal Periodic Review and the treaty bodies"),
    ("cooperation", "n", "calls for technical assistance and capacity-building in line with the priorities of {c}"),
    ("cooperation", "p", "regrets that requests to visit the country remained unanswered"),
    ("accountability", "c", "insists that those responsible for serious violations must be held accountable"),
    ("accountability", "c", "supports the renewal of the mandate as essential for accountability"),
    ("accountability", "c", "encourages states to use universal jurisdiction to end impunity for crimes committed in {c}"),
    ("accountability", "p", "concluded that some violations may amount to crimes against humanity"),
    ("judiciary", "c", "is concerned by the lack of independence of the judiciary and by trials held behind closed doors"),
    ("judiciary", "p", "found that lawyers who defend political detainees are disbarred or prosecuted themselves"),
    ("women's rights", "c", "is alarmed by discrimination against women and girls, including restrictions on education and work"),
    ("women's rights", "n", "encourages {c} to strengthen measures against gender-based violence"),
    ("women's rights", "p", "documented sexual and gender-based violence against women detained during protests"),
    ("refugees", "c", "is concerned by the situation of refugees and internally displaced persons fleeing {c}"),
    ("refugees", "n", "stresses that returns must be voluntary, safe and dignified"),
    ("refugees", "p", "estimates that more than one million people have been forced to leave their homes"),
    ("children", "c", "calls on {c} to end the recruitment of children and to protect their right to education"),
    ("economic rights", "s", "acknowledges the progress of {c} in reducing poverty and expanding access to health care"),
    ("economic rights", "s", "commends the social programmes of {c} despite difficult economic conditions"),
    ("economic rights", "n", "is concerned by food insecurity and the rising cost of essential goods"),
    ("internet", "c", "condemns internet shutdowns and the surveillance of online expression"),
    ("internet", "p", "recorded repeated internet shutdowns during protests and exam periods"),
    ("LGBTQI", "c", "is concerned by new laws restricting the rights of LGBTQI+ persons"),
    ("minorities", "c", "calls for the protection of religious and ethnic minorities from discrimination and violence"),
    ("minorities", "p", "documented attacks on places of worship belonging to minority communities"),
    ("enforced disappearance", "c", "is deeply concerned by reports of enforced disappearances and incommunicado detention"),
    ("enforced disappearance", "p", "received information on dozens of persons whose fate and whereabouts remain unknown"),
    ("national institutions", "n", "encourages {c} to ensure the independence of its national human rights institution"),
    ("national institutions", "s", "welcomes the national action plan on human rights adopted by {c}"),
    ("sovereignty", "x", "rejects the report as biased, selective and based on unverified sources"),
    ("cooperation", "x", "recalls that it has never recognised this mandate, imposed without its consent"),
    ("national institutions", "x", "has adopted a national action plan on human rights and strengthened its institutions"),
    ("cooperation", "x", "continues to cooperate with the Universal Periodic Review and the treaty bodies"),
    ("accountability", "x", "calls on the Council to end this politicised mandate"),
    ("sanctions", "x", "states that unilateral coercive measures are the main obstacle to the rights of its people"),
    ("elections", "x", "affirms that the recent elections were free, transparent and peaceful"),
    ("economic rights", "x", "invites partners to provide technical assistance that respects its sovereignty"),
]
PROPOSITIONS = {
    "c": ["the report confirms a pattern of grave and systematic violations in {c}",
          "the human rights situation in {c} has deteriorated since the last session",
          "impunity remains the main obstacle to justice for victims in {c}",
          "the space for independent voices in {c} has all but disappeared"],
    "s": ["country-specific mandates imposed on {c} serve political rather than human rights goals",
          "the report relies on unverified sources hostile to the Government of {c}",
          "dialogue and cooperation, not naming and shaming, are the way to help {c}",
          "the achievements of {c} in social and economic development deserve recognition"],
}
OPENERS = ["thanks {h} for the report and", "welcomes the update of {h} and", "takes note of the report and",
           "expresses its appreciation to {h} and", ""]


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower().replace("'", "")).strip("-")


def _mark(name: str, rng: random.Random) -> str:
    r = rng.random()
    return f"**{name}**" if r < 0.4 else f"[{name}](#)" if r < 0.45 else name


def _sentences(rng, stances, k, ctx, subjects, used, first=None):
    """`k` sentences of the given stances on topics not yet `used`; the first one's subject is `first`."""
    pool = [cl for cl in CLAUSES if cl[1] in stances and cl[0] not in used]
    if len(pool) < k:
        pool = [cl for cl in CLAUSES if cl[1] in stances]
    out = []
    for topic, _, text in rng.sample(pool, min(k, len(pool))):
        used.add(topic)
        subject = first if first is not None and not out else rng.choice(subjects)
        out.append(f"{subject} {text.format(**ctx)}.".lstrip())
    return out


def _state_statement(rng, name, group, ctx):
    stance = "sn" if name in SUPPORTIVE else "cn" if rng.random() < 0.85 else "ns"
    used: set[str] = set()
    subject = f"The {name}" if name in WITH_THE else name
    subjects = ["The Group", "It"] if group else [subject, "It"]
    more = rng.randint(2, 5)
    if group:
        first = f"On behalf of the **{group}**, **{name}**"
    elif rng.random() < 0.15:
        prop = rng.choice(PROPOSITIONS[stance[0] if stance[0] in "sc" else "s"]).format(**ctx)
        lead = f"{rng.choice(['According to', 'In the view of'])} {_mark(name, rng)}, {prop}."
        return " ".join([lead] + _sentences(rng, stance, more, ctx, subjects, used))
    elif name in WITH_THE:
        first = f"The {_mark(name, rng)}"
    else:
        first = rng.choice([_mark(name, rng), f"The delegation of {_mark(name, rng)}"])
    opener = rng.choice(OPENERS).format(**ctx)
    return " ".join(_sentences(rng, stance, 1 + more, ctx, subjects, used, first=f"{first} {opener}".strip()))


def _the(c: str) -> str:
    return f"the {c}" if c in CONCERNED_WITH_THE else c


def build_document(spec: dict, rng: random.Random) -> str:
    c, (title_t, role_t, holder) = spec["country"], spec["mandate"]
    ctx = {"c": _the(c), "h": holder}
    cap = lambda s: s[0].upper() + s[1:]  # noqa: E731
    panel = f"{spec['panel_title']} {spec['panel_first']} {spec['panel_last'].upper()}"
    pronoun = "It" if spec["mandate"] not in MANDATES[:2] else "He" if spec["panel_title"] == "Mr." else "She"
    blocks: list[str] = ["PRESENTATION OF THE REPORT", f"{panel}, {role_t.format(c=_the(c))}"]
    used: set[str] = set()
    for _ in range(rng.randint(2, 4)):  # 14 panel clauses: at most 3 per paragraph avoids repeats
        blocks.append(" ".join(_sentences(rng, "p", rng.randint(2, 3), ctx, [cap(holder), pronoun], used, first=cap(holder))
                               + _sentences(rng, "c", 1, ctx, [cap(holder), pronoun], used)))
    blocks += ["INTERACTIVE DIALOGUE", "Views Expressed by the Country Concerned"]
    marked = f"the **{c}**" if c in CONCERNED_WITH_THE else f"**{c}**"
    blocks.append(" ".join(_sentences(rng, "x", rng.randint(4, 6), ctx, [cap(_the(c)), "The delegation", "It"], set(),
                                      first=f"The delegation of {marked}")))
    blocks.append("Views Expressed by State Delegations")
    states = rng.sample([s for s in STATES if s != c], rng.randint(15, 45))
    groups_left = dict(GROUPS)
    for name in states:
        group = next((g for g, members in groups_left.items() if name in members), None)
        if group and rng.random() < 0.5:
            del groups_left[group]
        else:
            group = None
        blocks.append(_state_statement(rng, name, group, ctx))
    blocks.append("Views Expressed by Intergovernmental Organizations")
    igo = rng.choice(IGOS)
    blocks.append(" ".join(_sentences(rng, "cn", rng.randint(3, 5), ctx, [f"The {igo}", "It"], set(),
                                      first=f"The **{igo}** {rng.choice(OPENERS).format(**ctx)}".strip())))
    blocks.append("Views Expressed by Non-Governmental Organizations")
    ngos = rng.sample(NGOS, rng.randint(3, 9))
    for ngo in ngos:
        short = re.sub(r"\s*\(.*\)", "", ngo)
        first = f"{_mark(ngo, rng)} {rng.choice(OPENERS).format(**ctx)}".strip()
        blocks.append(" ".join(_sentences(rng, "c", rng.randint(3, 5), ctx, [short, "It"], set(), first=first)))
    # Page breaks (3 blank lines) every ~4 paragraphs; the title block is a page of its own.
    paged: list[str] = []
    since, every = 0, rng.randint(3, 5)
    for block in blocks:
        paged.append(block)
        if len(block) > 200:
            since += 1
            if since >= every:
                paged.append("")
                since, every = 0, rng.randint(3, 5)
    facts = [f"{len(states)} State Delegations", "1 Inter-Governmental Organization",
             f"{len(ngos)} Non-Governmental Organizations"]
    head = ["GENEVA CENTRE FOR HUMAN RIGHTS\nADVANCEMENT AND GLOBAL DIALOGUE", "UNITED NATIONS HUMAN RIGHTS COUNCIL",
            f"Interactive Dialogue with {title_t.format(c=_the(c))}", f"#HRC{spec['session']} • {spec['date_text']}", ""]
    text = "\n\n".join(head + paged + ["FACTS & FIGURES ON ID PARTICIPATION"] + facts)
    return re.sub(r"\n\n(?:\n\n)+", "\n\n\n\n", text) + "\n"  # a "" block: 3 blank lines


def _specs(n: int, seed: int) -> list[dict]:
    rng = random.Random(f"hrc-synthetic-specs:{seed}")
    countries, seen, specs = [], set(), []
    limit = len(CONCERNED) * len(MANDATES) * len(SESSIONS)
    if n > limit:
        raise ValueError(f"at most {limit} distinct documents")
    while len(specs) < n:
        if not countries:
            countries = rng.sample(CONCERNED, len(CONCERNED))
        country = countries.pop()
        m, session = rng.randrange(len(MANDATES)), rng.choice(sorted(SESSIONS))
        if (country, m, session) in seen:
            continue
        seen.add((country, m, session))
        start, length = SESSIONS[session]
        day = start + timedelta(days=rng.randrange(length))
        while day.weekday() > 4:
            day -= timedelta(days=1)
        title = rng.choice(["Mr.", "Ms."])
        specs.append({"country": country, "mandate": MANDATES[m], "session": session, "date": day.isoformat(),
                      "date_text": f"{day.day} {day:%B %Y}", "panel_title": title,
                      "panel_first": rng.choice(FIRST[title]), "panel_last": rng.choice(LAST)})
    return specs


def generate_corpus(out_dir: Path, n: int, seed: int = 0) -> list[Path]:
    """Write `n` distinct synthetic documents into `out_dir`; return their paths, in order."""
    out_dir = Path(out_dir).resolve()
    data_dir = (Path(__file__).resolve().parent.parent / "data").resolve()
    if out_dir == data_dir or data_dir in out_dir.parents:
        raise ValueError(f"refusing to write into {data_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, spec in enumerate(_specs(n, seed)):
        text = build_document(spec, random.Random(f"hrc-synthetic-doc:{seed}:{i}"))
        path = out_dir / f"synthetic-{i:03d}-hrc{spec['session']}-{_slug(spec['country'])}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python -m eval.synthetic OUT_DIR N [SEED]")
    for p in generate_corpus(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0):
        print(p)
