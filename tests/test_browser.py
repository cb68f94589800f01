"""The chat UI in a real Chromium (Playwright) against a real server on loopback.

Screenshots land in test-artifacts/. Any JavaScript dialog (alert, confirm …) fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests import servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
FRANCE = "What did France say about political prisoners?"
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
ANSWER_TIMEOUT = 60_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (CI installs it)")


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    home = servers.indexed_home(request, tmp_path_factory)
    with servers.running_server(home, name="browser") as started:
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


def open_page(browser, server, path: str = "/", **context_options):
    context = browser.new_context(**{"viewport": {"width": 1366, "height": 900}, **context_options})
    page = context.new_page()
    watch = Watch(page, server.url)
    page.goto(server.url + path)
    page.wait_for_selector("#question textarea", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#hrc-header')?.textContent.includes('HRC58')", timeout=30_000)
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


def ask(page, question: str, answers_before: int | None = None) -> None:
    """Type a question, press Enter, wait until the new answer is final (its turn has sources or a notice)."""
    turns = page.locator(".src-turn:not(.src-linked-turn)").count() if answers_before is None else answers_before
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.src-turn:not(.src-linked-turn)').length > n", arg=turns, timeout=ANSWER_TIMEOUT
    )


def bot_messages(page):
    return page.locator("#chat .message.bot, #chat [data-testid='bot']")


# ---------------------------------------------------------------- tests


def test_page_loads_offline_with_examples_and_the_document(page):
    assert "Who said what" in page.locator("#hrc-header").inner_text()
    assert "19 March 2025" in page.locator("#hrc-header").inner_text()
    examples = page.locator("#examples button")
    assert examples.count() == 4
    assert "Sources appear here" in page.locator("#sources-panel").inner_text()


def test_answer_streams_in_with_citation_markers_and_sources(page):
    ask(page, FRANCE)
    marker = page.locator("#chat a.cite").first
    marker.wait_for(timeout=ANSWER_TIMEOUT)
    assert re.fullmatch(r"\[\d+\]", marker.inner_text())
    assert "France" in page.locator("#chat").inner_text()
    cards = page.locator("#sources-panel .src-card")
    assert cards.count() >= 1
    assert "France" in cards.first.locator(".src-speaker").inner_text()
    assert "p." in cards.first.locator(".src-page").inner_text()
    # The chat also carries the sources as a collapsible "Sources" message.
    assert page.get_by_text("Sources", exact=True).first.is_visible()


def test_clicking_a_marker_opens_its_source_with_the_quote_highlighted(page, server):
    ask(page, FRANCE)
    answer = httpx.post(server.url + "/api/ask", json={"question": FRANCE}, timeout=120).json()
    marker = page.locator("#chat a.cite").last
    target = marker.get_attribute("href").lstrip("#")
    marker.click()
    card = page.locator(f"#{target}")
    page.wait_for_function(
        """id => { const c = document.getElementById(id);
                   const top = c.getBoundingClientRect().top;
                   return c.classList.contains('src-flash') && top >= 0 && top < window.innerHeight; }""",
        arg=target, timeout=5000,
    )
    assert card.is_visible()
    assert page.url.rstrip("/") == server.url, "clicking a marker must not navigate"
    mark = card.locator(".src-quote mark")
    assert mark.is_visible()
    n = int(target.rsplit("-", 1)[1])
    citation = next(c for c in answer["citations"] if c["n"] == n)
    assert mark.inner_text().strip() == citation["quote"].strip()
    assert card.locator("details.src-full").get_attribute("open") is not None
    assert card.locator("details.src-full mark").inner_text().strip() == citation["quote"].strip()


def test_follow_up_button_asks_about_china_in_context(page):
    ask(page, FRANCE)
    follow_up = page.locator("#follow-up")
    follow_up.wait_for(state="visible")
    follow_up.click()
    page.wait_for_function("() => document.querySelectorAll('.src-turn').length >= 2", timeout=ANSWER_TIMEOUT)
    newest = page.locator(".src-turn").first
    assert "And China?" in newest.locator(".src-question").inner_text()
    chat = page.locator("#chat").inner_text()
    assert "China" in chat.split("And China?")[-1]


def test_markup_in_a_question_shows_as_text_and_never_runs(page):
    ask(page, XSS)
    chat = page.locator("#chat")
    chat.get_by_text("<script>alert(1)</script>", exact=False).first.wait_for(timeout=ANSWER_TIMEOUT)
    assert XSS in chat.inner_text()
    assert chat.locator("img[src='x']").count() == 0
    assert page.locator("#sources-panel img").count() == 0
    assert XSS in page.locator("#sources-panel").inner_text()
    page.wait_for_timeout(500)  # give an injected onerror handler its chance to fire
    assert not page.watch.dialogs, page.watch.dialogs


def test_blank_question_shows_a_warning_not_an_error(page):
    page.locator("#question textarea").fill("   ")
    page.locator("#question textarea").press("Enter")
    toast = page.get_by_text("Type a question first")
    toast.wait_for(timeout=10_000)
    assert "Traceback" not in page.content()


def test_copy_with_attribution_gives_plain_text_with_numbered_sources(page):
    ask(page, FRANCE)
    page.locator("#copy-attribution").click()
    box = page.locator("#copy-box textarea")
    box.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#copy-box textarea').value.includes('Sources:')")
    text = box.input_value()
    assert re.search(r"^\[1\] France \(state\), p\. \d+: “.+”$", text, re.M), text
    assert "**" not in text and "<" not in text
    assert "Source document:" in text


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
            assert card.locator("mark").inner_text() == "Cuba"
            assert statement["text"][:80] in card.inner_text().replace("\n", " ") or statement["text"][:40] in card.inner_text()
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
        ask(page, "Which NGOs mentioned Viasna?")
        assert page.locator("#chat a.cite").count() >= 1
    finally:
        page.context.close()


def test_speakers_tab_lists_searches_and_opens_statements(page):
    page.get_by_role("tab", name="Speakers").click()
    table = page.locator("#speaker-table")
    table.get_by_text("Karinna Moskalenko").first.wait_for(timeout=15_000)
    page.locator("#speaker-search textarea").press_sequentially("Viasna", delay=20)
    page.wait_for_function(
        "() => document.querySelector('#speaker-table [role=grid]')?.getAttribute('aria-rowcount') === '3'", timeout=15_000
    )
    table.get_by_text("CIVICUS").first.click()
    view = page.locator("#statement-view .src-card")
    view.wait_for(timeout=15_000)
    assert "CIVICUS" in view.locator(".src-speaker").inner_text()
    assert "Viasna" in view.inner_text()
    assert view.locator("a.src-link").get_attribute("href").startswith("?statement=")


def test_speaker_type_filter_limits_the_sources(page):
    page.locator("#filters").get_by_text("Filters").first.click()
    page.locator("#speaker-types").get_by_text("NGOs").click()
    ask(page, "Who mentioned political prisoners?")
    types = page.locator("#sources-panel .src-card .src-type").all_inner_texts()
    assert types and {t.strip().lower() for t in types} == {"ngo"}, types


def test_phone_viewport_renders_a_usable_chat(browser, server, request):
    page, watch = open_page(
        browser, server, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        shoot(page, request.node.name + "_empty", full_page=False)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 391, f"the page scrolls sideways on a phone ({width}px)"
        ask(page, "Which NGOs mentioned Viasna?")
        marker = page.locator("#chat a.cite").first
        assert marker.is_visible()
        chat_box = page.locator("#chat").bounding_box()
        assert chat_box["width"] <= 390
        marker.click()
        # The card scrolls (smoothly) into the phone's viewport.
        page.wait_for_function(
            """() => { const c = document.querySelector('.src-flash');
                       if (!c) return false;
                       const top = c.getBoundingClientRect().top;
                       return top >= 0 && top < window.innerHeight; }""",
            timeout=5000,
        )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 391
        page.wait_for_timeout(800)  # let the smooth scroll settle for the screenshot
        shoot(page, request.node.name + "_source", full_page=False)
        # On a phone each source card has a way back up to the conversation.
        page.locator("#sources-panel .src-card").first.locator(".src-back").click()
        page.wait_for_function(
            "() => { const t = document.getElementById('chat').getBoundingClientRect().top; return t > -5 && t < 200; }",
            timeout=5000,
        )
        shoot(page, request.node.name)
    finally:
        page.context.close()
    assert not watch.dialogs and not watch.outside
