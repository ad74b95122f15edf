"""The self-check page in a real browser: Playwright for Python driving Debian's Chromium.

Never ``playwright install``: the browser is /usr/bin/chromium (``make browser`` installs it).
The server runs in a thread of this process (uvicorn on a free loopback port) over a service
without simulated evidence. ``DERIVCHECK_SCREENSHOT=docs/selfcheck.png`` also writes the README's
screenshot there.
"""
import json
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("DERIVCHECK_CHROMIUM", "/usr/bin/chromium"))  # Debian's; another path for others
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytest.importorskip("starlette", reason="the 'serve' extra is not installed")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install 'derivcheck-ml[dev]')")
if not CHROMIUM.exists():
    pytest.skip(f"no browser: {CHROMIUM} is missing (make browser installs Debian's Chromium)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
DERIVATIONS: Path | None = ROOT / "tests" / "data" / "dev_derivations.jsonl"

import uvicorn  # noqa: E402 - after the skips above
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from serve_stub import stub_derivation  # noqa: E402

from derivcheck.web.app import create_app  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(service):
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(service, allowed_hosts=["127.0.0.1"]), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    pg = context.new_page()
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", only_local)
    pg.goto(base_url + "/")
    yield pg
    context.close()
    assert not outside, f"the page asked for something outside the server: {outside}"


def question(page, qid):
    return page.locator(f'[data-question="{qid}"]')


def words(locator) -> str:
    """The text of ``locator`` outside its formulas (a typeset hat is no ASCII caret)."""
    return locator.evaluate("e => { const c = e.cloneNode(true); c.querySelectorAll('math').forEach(m => m.remove());"
                            " return c.textContent; }")


def test_type_see_the_preview_typeset_check_see_the_verdict(page):
    q = question(page, "p2.variance")
    q.locator("textarea").press_sequentially("σ²d/2", delay=20)
    fraction = q.locator('[data-role="preview"] math mfrac')
    expect(fraction).to_have_count(1)
    # Typeset, not text: the numerator stands above the denominator.
    numerator, denominator = (fraction.locator(":scope > *").nth(i).bounding_box() for i in (0, 1))
    assert numerator and denominator and numerator["y"] + numerator["height"] <= denominator["y"] + 1
    q.locator('[data-role="check"]').click()
    expect(q.locator('[data-role="verdict"]')).to_have_attribute("data-verdict", "correct")
    expect(q.locator('[data-role="verdict"]')).to_have_text(re.compile(r"^Correct"))

    q.locator("textarea").fill("d*sigma^2")
    q.locator('[data-role="check"]').click()
    verdict = q.locator('[data-role="verdict"]')
    expect(verdict).to_have_attribute("data-verdict", "incorrect")
    expect(verdict).to_have_text(re.compile(r"^Not right"))
    feedback = q.locator('[data-role="feedback"]')
    expect(feedback).to_contain_text("Forgetting the ReLU's half")          # the PDF's name for the mistake
    expect(feedback.locator("math")).to_have_count(1)                        # its maths typeset
    counterexample = q.locator('[data-role="counterexample"]')
    expect(counterexample).to_contain_text(re.compile(r"^At .* your answer gives 256, the right answer 128\."))
    expect(counterexample.locator("math mi", has_text="\u03c3")).to_have_count(1)  # sigma typeset as a letter
    result = words(q.locator(".result"))
    assert "missing_relu_half" not in result and "sigma" not in result and "^" not in result
    assert result.count("your answer gives") == 1                           # the counterexample once


def test_a_malformed_answer_shows_where(page):
    q = question(page, "p2.variance")
    q.locator("textarea").press_sequentially("d * sigma ^ $2", delay=20)
    mark = q.locator('[data-role="preview"] .error mark')
    expect(mark).to_have_text("$")
    expect(mark).to_have_attribute("data-position", "12")
    expect(q.locator('[data-role="preview"] .error')).to_contain_text("unexpected character")
    q.locator("textarea").press("Control+Enter")
    expect(q.locator('[data-role="verdict"]')).to_have_attribute("data-verdict", "invalid")
    # After Check the caret is shown as the preview shows it: the character marked in its line.
    expect(q.locator('[data-role="feedback"] mark')).to_have_text("$")
    assert "^" not in q.locator('[data-role="feedback"]').inner_text().replace("sigma ^ $2", "")


def test_a_derivation_with_a_wrong_line_marks_that_line(page, service, monkeypatch):
    real = service.check
    monkeypatch.setattr(service, "check", lambda qid, a, *rest, **kw: stub_derivation(qid, a) if "\n" in a
                        else real(qid, a, *rest, **kw))
    q = question(page, "p2.variance")
    q.locator("textarea").fill("Var[y]\n= d sigma^2 E[ReLU(z)^2]\n= d sigma^2\n= d sigma^2")
    q.locator('[data-role="check"]').click()
    expect(q.locator('[data-role="verdict"]')).to_have_attribute("data-verdict", "incorrect")
    steps = q.locator('[data-role="steps"] li')
    expect(steps).to_have_count(4)
    wrong = q.locator('[data-role="steps"] li[data-verdict="wrong"]')
    expect(wrong).to_have_count(1)
    expect(wrong).to_have_attribute("data-line", "2")
    expect(wrong.locator(".mark")).to_have_text("\u2717")
    expect(wrong.locator(".reason")).to_contain_text("Forgetting the ReLU's half")
    assert "missing_relu_half" not in wrong.inner_text()
    expect(steps.nth(1).locator(".mark")).to_have_text("\u2713")
    expect(steps.nth(1).locator("math")).to_have_count(1)


def test_a_real_derivation_check_marks_its_first_wrong_line(page, service):
    """The same with the real derivation checker (issue 12), on a dev derivation with a wrong line."""
    assert DERIVATIONS is not None
    rows = [json.loads(line) for line in DERIVATIONS.read_text().splitlines() if line.strip()]
    row = next(r for r in rows if r["first_wrong"] is not None and r["q"] in service.questions)
    answer = "\n".join(row["steps"])
    q = question(page, row["q"])
    q.locator("textarea").fill(answer)
    q.locator('[data-role="check"]').click()
    wrong = q.locator(f'[data-role="steps"] li[data-line="{row["first_wrong"]}"]')
    expect(wrong).to_have_attribute("data-verdict", "wrong")
    expect(wrong.locator(".mark")).to_have_text("\u2717")


def test_usable_on_a_phone(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(base_url + "/")
    q = question(pg, "p2.sigma")
    q.locator("textarea").fill("sigma^2 = 2/d")
    q.locator('[data-role="check"]').tap()
    expect(q.locator('[data-role="verdict"]')).to_have_attribute("data-verdict", "correct")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    box = q.locator('[data-role="check"]').bounding_box()
    assert box and box["height"] >= 40  # a finger-sized button
    context.close()


def test_screenshot(page, tmp_path):
    """The README's picture: a derivation with a wrong line, a right answer, an unreadable one."""
    working = ("Var[y]\n= E[y^2]   # E[y] = 0\n= sigma^2 * sum_{i=1}^d E[z_i^2]   # squaring removes the sign\n"
               "= d sigma^2")
    for qid, answer in (("p2.variance", working), ("p2.sigma", "sigma^2 = 2/d")):
        q = question(page, qid)
        q.locator("textarea").fill(answer)
        q.locator('[data-role="check"]').click()
        expect(q.locator('[data-role="verdict"]')).not_to_have_text(re.compile(r"^(checking|$)"))
    q = question(page, "p2.sigma")
    q.locator("textarea").fill("1/sqrt(d)")                        # a wrong answer: LeCun's scale
    q.locator('[data-role="check"]').click()
    expect(q.locator('[data-role="verdict"]')).to_have_attribute("data-verdict", "incorrect")
    q = question(page, "p3.stable_softmax")
    q.locator("textarea").press_sequentially(r"\frac{e^{x_i-\max_j x_j}}{\sum_k e^{x_k-\max_j x_j}", delay=5)
    expect(q.locator('[data-role="preview"] .error, [data-role="preview"] math')).to_have_count(1)
    target = tmp_path / "selfcheck.png"
    height = page.evaluate("document.querySelector('[data-question=\"p3.stable_softmax\"]').getBoundingClientRect()"
                           ".bottom + window.scrollY + 8")
    page.screenshot(path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": 900, "height": height})
    assert target.stat().st_size > 10_000
    wanted = os.environ.get("DERIVCHECK_SCREENSHOT")
    if wanted:
        shutil.copyfile(target, wanted)


def test_questions_speak_to_students(page):
    """Titles in words and typeset prompts head the cards; no internal code or ASCII maths in them."""
    from derivcheck.grading.bank import load

    codes = {m.code for q in load().values() for m in q.mistakes}
    for card in page.locator("[data-question]").all():
        title = card.locator("h2").inner_text()
        assert title and card.get_attribute("data-question") not in title
        prompt = card.locator(".prompt")
        assert prompt.locator("math").count() >= 1 or "$" not in prompt.inner_text()
        text = card.locator("h2").inner_text() + " " + words(prompt)
        assert not re.search(r"\b(sigma|eps|sqrt)\b|\^|_hat|!=", text), text
        assert not any(code in text for code in codes)
    expect(question(page, "p2.variance").locator(".prompt math")).not_to_have_count(0)


def test_accessible_names_alttext_and_contrast(page):
    """Each text box and button is named after its own question; every formula has a text
    alternative; the controls' borders stand out (WCAG 1.4.11: 3:1)."""
    titles = [h.inner_text() for h in page.locator("[data-question] h2").all()]
    assert len(set(titles)) == len(titles)
    for title in titles:
        expect(page.get_by_role("textbox", name=re.compile(re.escape(title)))).to_have_count(1)
        expect(page.get_by_role("button", name=re.compile(r"^Check.*" + re.escape(title)))).to_have_count(1)
    q = question(page, "p2.variance")
    q.locator("textarea").fill("d*sigma^2")
    q.locator('[data-role="check"]').click()
    expect(q.locator('[data-role="counterexample"] math')).not_to_have_count(0)
    missing = page.evaluate("[...document.querySelectorAll('math')].filter(m => !(m.getAttribute('alttext') || '')"
                            ".trim()).length")
    assert missing == 0 and page.locator("math").count() > 10
    ratio = page.evaluate("""() => {
      const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const area = document.querySelector('textarea'), card = area.closest('section');
      const a = lum(getComputedStyle(area).borderTopColor), b = lum(getComputedStyle(card).backgroundColor);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")
    assert ratio >= 3, ratio


def test_answers_survive_a_reload(page):
    q = question(page, "p4.forward_mults")
    q.locator("textarea").fill("n L K^2")
    question(page, "p2.sigma").locator("textarea").fill("sqrt(2/d)")
    page.reload()
    expect(question(page, "p4.forward_mults").locator("textarea")).to_have_value("n L K^2")
    expect(question(page, "p2.sigma").locator("textarea")).to_have_value("sqrt(2/d)")
    expect(question(page, "p4.forward_mults").locator('[data-role="preview"] math')).to_have_count(1)
    question(page, "p2.sigma").locator("textarea").fill("")
    page.reload()
    expect(question(page, "p2.sigma").locator("textarea")).to_have_value("")
