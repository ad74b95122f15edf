"""The page (``GET /``, one per served sheet), rendered once per server from the sheet's
questions: plain HTML, every piece of bank text escaped, a list of the served sheets (links
``?sheet=ID``), each question headed by its title and its typeset prompt (the student words
of ``derivcheck.report.wording``, as the PDF uses them); ``static/app.js`` adds the live preview,
the Check button and the answers kept in the browser."""
from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import quote

from .mathml import prose

KINDS = {"positive_integer": "positive integer", "nonnegative": "non-negative", "interval": "in"}

HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="static/style.css">
<script src="static/app.js" defer></script>
</head>
<body>
<header>
<h1>{title}</h1>
<p>Type an answer: the preview shows how it is read, as you type. <b>Check</b> (or Ctrl+Enter) grades it.
Several lines are a derivation: start the first with the quantity asked for and every later line with
<code>=</code>; each line gets its own mark. Nothing you type is written to disk.</p>
</header>
"""

FOOT = """</main>
<footer><p>derivcheck self-check. Answers are checked on this computer; nothing is sent elsewhere.</p></footer>
</body>
</html>
"""


def render(questions: list[dict[str, Any]], title: str = "derivcheck self-check", *, sheet: str | None = None,
           sheets: list[dict[str, str]] | None = None) -> str:
    """The whole page for ``questions`` (as ``questions --json`` lists them) of the sheet ``sheet``
    (its id, sent back with every request: ``main[data-sheet]``), with the list of ``sheets``
    served (``{"id", "title"}``, the current one marked) and the student words the script needs
    (mistake names, typeset variable names) as JSON in the page."""
    data = json.dumps(words(questions), ensure_ascii=True).replace("<", "\\u003c")  # no "</script>" inside
    head = HEAD.format(title=escape(title)).replace(
        "</head>", f'<script type="application/json" id="derivcheck-words">{data}</script>\n</head>')
    main = f'<main data-sheet="{escape(sheet)}">\n' if sheet is not None else "<main>\n"
    return head + _sheet_list(sheets or [], sheet) + main + "".join(_question(q) for q in questions) + FOOT


def _sheet_list(sheets: list[dict[str, str]], current: str | None) -> str:
    """The served sheets as links (``?sheet=ID``), the current one marked ``aria-current``."""
    if not sheets:
        return ""
    items = []
    for s in sheets:
        mark = ' aria-current="page"' if s["id"] == current else ""
        items.append(f'<li><a href="?sheet={escape(quote(s["id"]))}"{mark}>{escape(s["title"])}</a></li>')
    return f'<nav class="sheets" aria-label="Exercise sheets"><ul>{"".join(items)}</ul></nav>\n'


def words(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """What the page says for each question, from ``derivcheck.report.wording`` (the PDF's words):
    ``{qid: {"mistakes": {code: {"name", "why"}}, "variables": {name: MathML}, "measured": HTML}}``
    and the generic mistakes under ``"*"``; maths as MathML from :func:`.mathml.prose`."""
    from derivcheck.report.wording import MEASURED, MISTAKES, PARAMETERS, mistake_name

    def mistake(qid: str, code: str) -> dict[str, str]:
        name, why = mistake_name(qid, code)
        return {"name": prose(name), "why": prose(why)}

    out: dict[str, Any] = {"*": {"mistakes": {code: mistake("*", code) for (qid, code) in MISTAKES if qid == "*"}}}
    for q in questions:
        qid = str(q["id"])
        codes = [*(q.get("diagnoses") or []), *((q.get("derivations") or {}).get("step_diagnoses") or [])]
        out[qid] = {
            "mistakes": {code: mistake(qid, code) for code in codes},
            "variables": {name: prose(f"${PARAMETERS.get(name, name)}$") for name in (q.get("variables") or {})},
            "measured": prose(MEASURED.get(qid, "")),
        }
    return out


def _question(q: dict[str, Any]) -> str:
    from derivcheck.report.wording import question_words

    qid = escape(str(q["id"]))
    title, prompt = question_words(str(q["id"]), str(q.get("prompt", "")))
    variables = ", ".join(f"<code>{escape(name)}</code> {escape(_kind(kind))}"
                          for name, kind in (q.get("variables") or {}).items())
    example = f" Example of the syntax: <code>{escape(str(q['example']))}</code>." if q.get("example") else ""
    syntax = (f"Variables: {variables}. " if variables else "") + f"Write {escape(str(q.get('syntax', '')))}."
    return f"""<section class="question" data-question="{qid}" id="q-{qid}" aria-labelledby="t-{qid}">
<h2 id="t-{qid}">{escape(title)}</h2>
<p class="prompt" id="p-{qid}">{prose(prompt)}</p>
<p class="syntax" id="s-{qid}">{syntax}{example}</p>
<label for="a-{qid}">Your answer<span class="visually-hidden"> to: {escape(title)}</span></label>
<textarea id="a-{qid}" rows="2" spellcheck="false" autocapitalize="off" autocomplete="off"
 aria-describedby="p-{qid} s-{qid}" placeholder="{escape(str(q.get("example") or ""))}"></textarea>
<div class="preview" data-role="preview" aria-live="polite"></div>
<div class="actions">
<button type="button" data-role="check" aria-label="Check your answer to: {escape(title)}">Check</button></div>
<div class="result" aria-live="polite">
<p class="verdict" data-role="verdict"></p>
<p class="feedback" data-role="feedback"></p>
<p class="counterexample" data-role="counterexample"></p>
<ol class="steps" data-role="steps" start="0"></ol>
</div>
</section>
"""


def _kind(kind: str) -> str:
    if kind.startswith("interval"):
        return "in " + kind[len("interval"):]
    return KINDS.get(kind, kind)
