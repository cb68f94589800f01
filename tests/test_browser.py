"""The chat UI in a real Chromium (Playwright) against a real server on loopback.

Screenshots land in test-artifacts/. Any JavaScript dialog (alert, confirm …) fails the test.
The bugs of issue 12 each have a test here that failed before the fix.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests import servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
FRANCE = "What did France say about political prisoners?"
VIASNA = "Which NGOs mentioned Viasna?"
SPAIN = "What did Spain say about political prisoners?"
LONG = "Who mentioned political prisoners?"  # an answer with many sources
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ANSWER_TIMEOUT = 60_000
TURNS = ".src-turn:not(.src-linked-turn)"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)")


@pytest.fixture(scope="module")
def home(request, tmp_path_factory):
    return servers.indexed_home(request, tmp_path_factory)


@pytest.fixture(scope="module")
def server(home):
    with servers.running_server(home, name="browser", env={"HRC_RATE_LIMIT_PER_MINUTE": "0"}) as started:
        yield started


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that it must not: dialogs, requests leaving loopback, page errors."""

    def __init__(self, page, origin: str):
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda r: None if r.url.startswith((origin, "data:", "blob:", "about:")) else self.outside.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def open_page(browser, server, path: str = "/", header: str = "HRC58", **context_options):
    context = browser.new_context(**{"viewport": {"width": 1366, "height": 900}, **context_options})
    page = context.new_page()
    watch = Watch(page, server.url)
    page.goto(server.url + path)
    page.wait_for_selector("#question textarea", timeout=30_000)
    page.wait_for_function(
        "h => document.querySelector('#hrc-header')?.textContent.includes(h)", arg=header, timeout=30_000
    )
    return page, watch


@pytest.fixture()
def page(browser, server, request):
    page, watch = open_page(browser, server)
    page.watch = watch
    yield page
    shoot(page, request.node.name)
    page.context.close()
    assert not watch.dialogs, f"a JavaScript dialog fired: {watch.dialogs}"
    assert not watch.outside, f"the page requested non-loopback URLs: {watch.outside[:5]}"


def shoot(page, name: str, full_page: bool = True) -> None:
    servers.ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(servers.ARTIFACTS / f"browser-{re.sub(r'[^A-Za-z0-9_-]+', '_', name)}.png"), full_page=full_page)


def ask(page, question: str) -> None:
    """Type a question, press Enter, wait until the new answer is final (its turn has sources or a notice)."""
    turns = page.locator(TURNS).count()
    box = page.locator("#question textarea")
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=ANSWER_TIMEOUT)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length > n && !document.querySelector('#question textarea').disabled",
        arg=[TURNS, turns], timeout=ANSWER_TIMEOUT,
    )


def api_answer(server, question: str, history: list | None = None) -> dict:
    return httpx.post(server.url + "/api/ask", json={"question": question, "history": history or []}, timeout=120).json()


def target_of(marker) -> str:
    """The id of the source card a marker links to."""
    return marker.get_attribute("href").lstrip("#")


def card_is_shown(page, card_id: str, timeout: int = 5000) -> None:
    """The card flashed and is visible in the viewport and inside the sources panel's visible box."""
    page.wait_for_function(
        """id => { const c = document.getElementById(id); if (!c || !c.classList.contains('src-flash')) return false;
                   const r = c.getBoundingClientRect(); const p = document.getElementById('sources-panel').getBoundingClientRect();
                   return r.top >= Math.max(0, p.top) - 2 && r.top < Math.min(window.innerHeight, p.bottom); }""",
        arg=card_id, timeout=timeout,
    )


# ---------------------------------------------------------------- what worked before, still works


def test_page_loads_offline_with_examples_and_the_document(page):
    assert "Who said what" in page.locator("#hrc-header").inner_text()
    assert "19 March 2025" in page.locator("#hrc-header").inner_text()
    assert page.locator("#examples button").count() == 4
    assert "Sources appear here" in page.locator("#sources-panel").inner_text()
    assert page.locator(".hrc-warning").count() == 0, "a well-recognised document shows no warning banner"


def test_answer_streams_in_with_citation_markers_and_sources(page):
    ask(page, FRANCE)
    marker = page.locator("#chat a.cite").first
    assert re.fullmatch(r"\[\d+\]", marker.evaluate("e => e.firstChild.textContent"))
    assert "France" in page.locator("#chat").inner_text()
    cards = page.locator("#sources-panel .src-card")
    assert cards.count() >= 1
    assert "France" in cards.first.locator(".src-speaker").inner_text()
    assert "p." in cards.first.locator(".src-page").inner_text()
    summary = page.locator("#chat details.chat-sources summary").first
    assert re.fullmatch(r"Sources \(\d+\)", summary.inner_text().strip())


def test_clicking_a_marker_opens_its_source_with_the_quote_highlighted(page, server):
    ask(page, FRANCE)
    answer = api_answer(server, FRANCE)
    marker = page.locator("#chat .msg.answer > p a.cite, #chat .msg.answer > ul a.cite").last
    target = target_of(marker)
    marker.click()
    card_is_shown(page, target)
    card = page.locator(f"#{target}")
    assert page.url.rstrip("/") == server.url, "clicking a marker must not navigate"
    mark = card.locator(".src-quote mark")
    n = int(target.rsplit("-", 1)[1])
    citation = next(c for c in answer["citations"] if c["n"] == n)
    assert mark.inner_text().strip() == citation["quote"].strip()
    assert card.locator("details.src-full").get_attribute("open") is not None
    assert card.locator("details.src-full mark").inner_text().strip() == citation["quote"].strip()


def test_markup_in_a_question_shows_as_text_and_never_runs(page):
    ask(page, XSS)
    chat = page.locator("#chat")
    assert XSS in chat.inner_text()
    assert chat.locator("img[src='x']").count() == 0
    assert page.locator("#sources-panel img").count() == 0
    assert XSS in page.locator("#sources-panel").inner_text()
    page.wait_for_timeout(500)  # give an injected onerror handler its chance to fire
    assert not page.watch.dialogs, page.watch.dialogs


def test_blank_question_shows_a_warning_not_an_error(page):
    page.locator("#question textarea").fill("   ")
    page.locator("#question button").click()  # the box's own Ask button: Enter on a blank box is not always sent by Gradio
    page.get_by_text("Type a question first").wait_for(timeout=30_000)  # a server round trip: slow on a loaded 2-core machine
    assert "Traceback" not in page.content()
    assert page.locator("#chat .message").count() == 0, "a blank question adds nothing to the conversation"


def test_permalink_opens_the_statement_and_survives_reload(browser, server, request):
    rows = httpx.get(server.url + "/api/speakers").json()
    cuba = next(r for r in rows if r["speaker"] == "Cuba")
    statement = httpx.get(server.url + f"/api/statements/{cuba['statement_id']}").json()
    start = statement["text"].index("Cuba")
    page, watch = open_page(browser, server, f"/?statement={cuba['statement_id']}&mark={start}-{start + 4}")
    try:
        for _ in range(2):
            card = page.locator(".src-linked")
            card.wait_for(timeout=30_000)
            assert "Cuba" in card.locator(".src-speaker").inner_text()
            assert card.locator(".src-text mark").inner_text() == "Cuba"
            assert statement["text"][:40] in card.inner_text()
            page.reload()
            page.wait_for_selector("#question textarea")
        shoot(page, request.node.name)
    finally:
        page.context.close()
    assert not watch.dialogs


def test_unknown_permalink_warns_without_breaking_the_page(browser, server):
    page, watch = open_page(browser, server, "/?statement=doc-000000000000:001")
    try:
        page.get_by_text("No statement").first.wait_for(timeout=15_000)
        ask(page, FRANCE)
        assert page.locator("#chat a.cite").count() >= 1
    finally:
        page.context.close()


def test_speaker_type_filter_limits_the_sources(page):
    page.locator("#filters").get_by_text("Filters").first.click()
    page.locator("#speaker-types").get_by_text("NGO").click()
    ask(page, LONG)
    types = page.locator("#sources-panel .src-card .src-type").all_inner_texts()
    assert types and {t.strip().lower() for t in types} == {"ngo"}, types


# ---------------------------------------------------------------- issue 12, bug 1: the page never gets stuck


def test_marker_in_a_long_answer_scrolls_only_the_sources_panel(page, server, request):
    answer = api_answer(server, LONG)
    assert len(answer["citations"]) >= 12, "the question must give a long list of sources"
    ask(page, LONG)
    shoot(page, request.node.name + "_desktop_before", full_page=False)
    panel = page.locator("#sources-panel")
    assert panel.evaluate("el => getComputedStyle(el).overflowY") in ("auto", "scroll")
    assert panel.evaluate("el => el.scrollHeight > el.clientHeight"), "a long answer overflows the bounded panel"
    header_before = page.locator("#hrc-header").bounding_box()
    chat_before = page.locator("#chat").bounding_box()
    n = len(answer["citations"])
    marker = page.locator(f"#chat .msg.answer a.cite[href$='-{n}']").first
    marker.click()
    target = target_of(marker)
    card_is_shown(page, target)
    page.wait_for_timeout(700)  # smooth scrolling settles
    shoot(page, request.node.name + "_desktop_after", full_page=False)
    assert page.locator("#hrc-header").bounding_box() == header_before, "the header must not move"
    assert page.locator("#chat").bounding_box() == chat_before, "the chat must not move"
    assert page.evaluate("() => document.querySelector('.gradio-container').scrollTop") == 0
    assert panel.evaluate("el => el.scrollTop") > 0, "the panel itself scrolled to the card"


# ---------------------------------------------------------------- bug 2: copy is per answer and never stale


def test_copy_buttons_copy_the_answer_they_belong_to_never_a_stale_one(browser, server):
    page, watch = open_page(browser, server)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    try:
        ask(page, FRANCE)
        ask(page, SPAIN)
        answers = page.locator("#chat .msg.answer")
        assert answers.count() == 2

        def copied(link) -> str:
            link.click()
            page.wait_for_function("() => window.__hrcLastCopy !== undefined")
            text = page.evaluate("() => navigator.clipboard.readText()")
            assert text == page.evaluate("() => window.__hrcLastCopy")
            page.evaluate("() => { window.__hrcLastCopy = undefined; }")
            return text

        first = copied(answers.nth(0).locator("a.copy-answer[href$='-markdown']"))
        assert "**France**" in first and "Spain" not in first
        assert re.search(r"^\[1\] \*\*France\*\* \(state\), p\. \d+: “.+” <" + re.escape(server.url) + r"/\?statement=", first, re.M), first
        second = copied(answers.nth(1).locator("a.copy-answer[href$='-text']"))
        assert "Spain" in second and "France" not in second and "**" not in second and "<" not in second
        assert re.search(r"^\[1\] Spain \(state\), p\. \d+: “.+” " + re.escape(server.url) + r"/\?statement=\S+&mark=\d+-\d+$", second, re.M), second
        assert "Source document:" in second
        # A permalink from the copied text opens that very quote.
        link = re.search(re.escape(server.url) + r"/\?statement=\S+", second).group(0)
        page.goto(link)
        page.locator(".src-linked .src-text mark").wait_for(timeout=30_000)
    finally:
        page.context.close()
    assert not watch.dialogs


# ---------------------------------------------------------------- bug 3: early markers keep working


def test_markers_of_early_answers_still_open_after_thirteen_turns(page):
    ask(page, FRANCE)
    for _ in range(12):
        ask(page, SPAIN)
    assert page.locator(TURNS).count() == 13
    first = page.locator("#chat .msg.answer").first.locator("a.cite").first
    first.scroll_into_view_if_needed()
    first.click()
    card_is_shown(page, target_of(first))
    assert "France" in page.locator(f"#{target_of(first)} .src-speaker").inner_text()


# ---------------------------------------------------------------- bug 4: a waiting state, no lost question


def test_waiting_shows_the_question_and_a_spinner_at_once_and_locks_the_box(page):
    held = []
    page.route("**/gradio_api/queue/join**", lambda route: held.append(route))
    box = page.locator("#question textarea")
    box.fill(FRANCE)
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('#chat .spinner') !== null", timeout=10_000)
    assert FRANCE in page.locator("#chat").inner_text()
    assert box.is_disabled(), "the box is locked while waiting"
    assert box.get_attribute("placeholder") == "Waiting for the answer…"
    assert all(b.is_disabled() for b in page.locator("#examples button").all())
    assert held, "the answer request was held"
    for route in held:
        route.continue_()
    page.unroute("**/gradio_api/queue/join**")
    page.wait_for_function(f"() => document.querySelectorAll('{TURNS}').length === 1", timeout=ANSWER_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=10_000)
    assert page.locator("#chat .spinner").count() == 0
    ask(page, SPAIN)
    questions = page.locator(".src-question").all_inner_texts()
    assert any(FRANCE in q for q in questions) and any(SPAIN in q for q in questions), "no question was lost"


# ---------------------------------------------------------------- bug 5: errors are one line, the conversation stays


def test_rate_limit_and_server_down_give_one_friendly_line_and_keep_the_conversation(browser, home, request):
    with servers.running_server(home, name="browser-errors", env={"HRC_RATE_LIMIT_PER_MINUTE": "6"}) as server:
        page, watch = open_page(browser, server)
        try:
            ask(page, FRANCE)
            status = page.locator("#hrc-status .hrc-status-line")
            for _ in range(6):  # each question costs a few requests; the limit is soon reached
                page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=ANSWER_TIMEOUT)
                page.locator("#question textarea").fill(VIASNA)
                page.locator("#question textarea").press("Enter")
                page.wait_for_timeout(1500)
                if status.count() and "Too many questions" in status.inner_text():
                    break
            assert "Too many questions" in status.inner_text()
            assert "France" in page.locator("#chat .msg.answer").first.inner_text(), "the conversation stays"
            shoot(page, request.node.name + "_429")
            stop_code = servers.stop(server)
            assert stop_code is not None
            page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=ANSWER_TIMEOUT)
            page.locator("#question textarea").fill(VIASNA)
            page.locator("#question textarea").press("Enter")
            page.wait_for_function(
                "() => (document.querySelector('#hrc-status .hrc-status-line')?.textContent || '').includes('not reachable')",
                timeout=20_000,
            )
            shoot(page, request.node.name + "_down")
            assert "France" in page.locator("#chat .msg.answer").first.inner_text()
            visible_errors = [e for e in page.get_by_text("Error", exact=True).all() if e.is_visible()]
            assert not visible_errors, "no big red Error badge"
            assert "Could not parse server response" not in page.locator("body").inner_text()
            assert len(status.all()) == 1, "one line"
        finally:
            page.context.close()
    assert not watch.dialogs


# ---------------------------------------------------------------- bug 6: the smaller ones


def test_no_empty_sources_box_and_the_follow_up_fits_the_answer(page, server):
    ask(page, FRANCE)
    for message in page.locator("#chat .message").all():
        assert message.inner_text().strip(), "no empty-looking message"
    chip = page.locator("#follow-up")
    chip.wait_for(state="visible")
    suggestion = chip.inner_text().strip()
    name = re.fullmatch(r"And (.+)\?", suggestion).group(1)
    speakers = {r["speaker"]: r["speaker_type"] for r in httpx.get(server.url + "/api/speakers").json()}
    assert name != "France" and speakers.get(name) == "state", suggestion
    chip.click()
    page.wait_for_function(f"() => document.querySelectorAll('{TURNS}').length === 2", timeout=ANSWER_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=10_000)
    assert suggestion in page.locator(".src-turn").first.locator(".src-question").inner_text()
    assert name in page.locator("#sources-panel .src-turn").first.locator(".src-speaker").first.inner_text()
    assert page.locator("#follow-up").inner_text().strip() != suggestion, "the next chip suggests someone else"


def test_conversation_label_never_covers_the_messages(page):
    for question in (FRANCE, SPAIN, LONG):
        ask(page, question)
    page.locator("#chat [role='log'], #chat .bubble-wrap").first.evaluate("el => el.scrollTo(0, el.scrollHeight / 2)")
    page.wait_for_timeout(300)
    labels = [el for el in page.locator("#chat").get_by_text("Conversation", exact=True).all() if el.is_visible()]
    messages = [m.bounding_box() for m in page.locator("#chat .message").all() if m.is_visible()]
    for label in labels:
        box = label.bounding_box()
        for m in messages:
            overlap = not (box["x"] + box["width"] <= m["x"] or m["x"] + m["width"] <= box["x"]
                           or box["y"] + box["height"] <= m["y"] or m["y"] + m["height"] <= box["y"])
            assert not overlap, "the label covers a message"


# ---------------------------------------------------------------- features


def test_hovering_a_marker_previews_its_source(page, server):
    ask(page, FRANCE)
    answer = api_answer(server, FRANCE)
    marker = page.locator("#chat .msg.answer a.cite").first
    marker.hover()
    preview = page.locator(".cite-preview")
    preview.wait_for(timeout=5000)
    n = int(target_of(marker).rsplit("-", 1)[1])
    citation = next(c for c in answer["citations"] if c["n"] == n)
    text = preview.inner_text()
    assert citation["speaker"] in text and f"p. {citation['page']}" in text and "state" in text
    assert citation["quote"] in text
    assert preview.locator("a").get_attribute("href").startswith(f"?statement={citation['statement_id']}")


def test_chat_and_sources_work_from_the_keyboard_with_named_markers(page, server):
    box = page.locator("#question textarea")
    box.focus()
    page.keyboard.type(FRANCE)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{TURNS}').length === 1", timeout=ANSWER_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('#question textarea').disabled", timeout=10_000)
    answer = api_answer(server, FRANCE)
    first = answer["citations"][0]
    named = page.get_by_role("link", name=f"[1] {first['speaker']}, state, page {first['page']}", exact=True)
    assert named.count() >= 1, "markers have accessible names"
    box.focus()
    for _ in range(60):  # back from the question box into the answer, by keyboard only
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement?.matches('a.cite')"):
            break
    assert page.evaluate("() => document.activeElement?.matches('a.cite')"), "a marker is reachable with Tab"
    page.locator(".cite-preview").wait_for(timeout=3000)  # focus shows the preview too
    target = page.evaluate("() => document.activeElement.getAttribute('href').slice(1)")
    page.keyboard.press("Enter")
    card_is_shown(page, target)
    assert page.evaluate("id => document.activeElement?.id === id", target), "focus moves to the source card"
    assert page.get_by_role("region", name="Sources").count() == 1


def test_conversation_export_from_the_ui_as_csv(page, server):
    ask(page, FRANCE)
    ask(page, SPAIN)
    page.locator("#export-format").get_by_text("CSV").click()
    page.locator("#export-conversation").click()
    link = page.locator("#export-file a").first
    link.wait_for(timeout=15_000)
    with page.expect_download() as download:
        link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    expected = api_answer(server, FRANCE)["citations"]
    assert [r["quote"] for r in rows[: len(expected)]] == [c["quote"] for c in expected]
    assert {r["question"] for r in rows} == {FRANCE, SPAIN}
    for row in rows:
        assert row["speaker"] and row["page"].isdigit()
        assert row["permalink"].startswith(server.url + "/?statement=")


def test_export_api_of_a_speaker_and_of_a_conversation(server):
    response = httpx.get(server.url + "/api/export/statements", params={"speaker": "France", "format": "json"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    quotes = response.json()["quotes"]
    assert quotes and {q["speaker"] for q in quotes} == {"France"}
    statement = httpx.get(server.url + f"/api/statements/{quotes[0]['statement_id']}").json()
    assert quotes[0]["quote"] == statement["text"] and quotes[0]["page"] == statement["page_start"]
    assert quotes[0]["permalink"] == f"{server.url}/?statement={statement['statement_id']}"

    answer = api_answer(server, FRANCE)
    markdown = httpx.post(server.url + "/api/export", json={"answers": [answer], "format": "markdown"}).text
    first = answer["citations"][0]
    assert f"**{first['speaker']}**" in markdown and f"p. {first['page']}" in markdown and first["quote"] in markdown
    missing = httpx.get(server.url + "/api/export/statements", params={"speaker": "Atlantis"})
    assert missing.status_code == 404 and list(missing.json()) == ["error"]
    bad = httpx.post(server.url + "/api/export", json={"answers": [], "format": "docx"})
    assert bad.status_code == 422 and list(bad.json()) == ["error"]


def test_speaker_page_lists_every_statement_with_permalinks_and_stance(browser, server, request):
    france = [r for r in httpx.get(server.url + "/api/speakers").json() if r["speaker"] == "France"]
    page, watch = open_page(browser, server, "/?speaker=France")
    try:
        section = page.locator(".speaker-page")
        section.wait_for(timeout=30_000)
        cards = section.locator(".src-card")
        assert cards.count() == len(france)
        for card in cards.all():
            assert "France" in card.locator(".src-speaker").inner_text()
            assert card.locator("a.src-link").get_attribute("href").startswith("?statement=")
            stance = card.locator(".src-stance").inner_text().lower()
            assert "no stance computed" in stance or re.search(r"supportive|critical|neutral", stance)
        export = section.locator("a.export-link", has_text="CSV")
        assert "speaker=France" in export.get_attribute("href")
        shoot(page, request.node.name)
    finally:
        page.context.close()
    assert not watch.dialogs


def test_speakers_tab_lists_searches_highlights_and_opens_statements(page):
    page.get_by_role("tab", name="Speakers").click()
    table = page.locator("#speaker-table")
    table.get_by_text("Karinna Moskalenko").first.wait_for(timeout=15_000)
    page.locator("#speaker-search textarea").press_sequentially("Viasna", delay=20)
    page.wait_for_function(
        "() => document.querySelector('#speaker-table [role=grid]')?.getAttribute('aria-rowcount') === '3'", timeout=15_000
    )
    page.wait_for_function(  # the table of the last keystroke, not of "Viasn"
        "() => [...document.querySelectorAll('#speaker-table mark')].some(m => m.textContent === 'Viasna')", timeout=15_000
    )
    marks = [m for m in table.locator("mark").all_inner_texts() if m.strip()]
    assert marks and {m.casefold() for m in marks} == {"viasna"}, marks
    assert "search=Viasna" in page.locator("#speaker-export a", has_text="CSV").get_attribute("href")
    table.get_by_text("CIVICUS").first.click()
    view = page.locator("#statement-view .src-card")
    view.wait_for(timeout=15_000)
    assert "CIVICUS" in view.locator(".src-speaker").inner_text()
    assert "Viasna" in view.inner_text()
    assert view.locator("a.src-link").get_attribute("href").startswith("?statement=")


def test_phone_layout_chat_sources_and_table_headers(browser, server, request):
    page, watch = open_page(
        browser, server, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        shoot(page, request.node.name + "_empty", full_page=False)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 391, "no sideways scrolling"
        ask(page, LONG)
        shoot(page, request.node.name + "_before", full_page=False)
        marker = page.locator("#chat .msg.answer a.cite").first
        assert page.locator("#chat").bounding_box()["width"] <= 390
        marker.tap()
        card_is_shown(page, target_of(marker))
        page.locator(".cite-preview").wait_for(timeout=3000)  # a tap previews the source too
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
        page.wait_for_timeout(800)  # let the smooth scroll settle for the screenshot
        shoot(page, request.node.name + "_after", full_page=False)
        page.locator("#sources-panel .src-card").first.locator(".src-back").click()
        page.wait_for_function(
            "() => { const t = document.getElementById('chat').getBoundingClientRect().top; return t > -5 && t < 200; }",
            timeout=5000,
        )
        page.get_by_role("tab", name="Speakers").click()
        page.locator("#speaker-table").get_by_text("Karinna Moskalenko").first.wait_for(timeout=15_000)
        shoot(page, request.node.name + "_speakers", full_page=False)
        for header in page.locator("#speaker-table thead th").all():
            if header.is_visible() and header.inner_text().strip():
                assert header.bounding_box()["height"] < 60, f"the header {header.inner_text()!r} stacks letter by letter"
    finally:
        page.context.close()
    assert not watch.dialogs and not watch.outside


# ---------------------------------------------------------------- issue 11: an honest banner


NOT_ENGLISH = """Conseil des droits de l'homme
Dialogue interactif sur la situation des droits de l'homme au pays imaginaire

Le président a ouvert la séance et a donné la parole à la rapporteuse spéciale.

La rapporteuse spéciale a présenté son rapport sur les conditions de détention et l'accès à l'eau potable.
Elle a demandé la libération des personnes détenues arbitrairement et l'accès des observateurs indépendants.

Une délégation a salué le travail accompli et a souhaité une coopération renforcée avec le mécanisme.
Une autre délégation a regretté le manque de dialogue et a demandé des garanties de procès équitable.
"""


def test_a_document_whose_speakers_are_not_recognised_shows_a_banner(browser, home, tmp_path, request):
    source = tmp_path / "dialogue-fr.txt"
    source.write_text(NOT_ENGLISH, encoding="utf-8")
    other = servers.fresh_home(home, tmp_path / "home")
    indexed = subprocess.run(
        [str(servers.VENV_BIN / "hrc-assistant"), "index", str(source)], env=servers.base_env(other),
        cwd=servers.ROOT, capture_output=True, text=True, timeout=600,
    )
    assert indexed.returncode == 0, indexed.stderr[-2000:]
    with servers.running_server(other, name="browser-banner") as server:
        documents = httpx.get(server.url + "/api/documents").json()
        assert len(documents) == 1
        assert documents[0]["warnings"] or documents[0]["language"] != "en" or documents[0]["confidence"] < 0.5
        page, watch = open_page(browser, server, header="Who said what")
        try:
            banner = page.locator("#hrc-header .hrc-warning")
            banner.wait_for(timeout=30_000)
            assert banner.get_attribute("role") == "alert"
            text = banner.inner_text()
            assert "not be recognised" in text or "Note:" in text, text
            shoot(page, request.node.name)
        finally:
            page.context.close()
    assert not watch.dialogs
