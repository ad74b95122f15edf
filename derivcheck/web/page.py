"""The page (``GET /``), rendered once per server from the question bank: plain HTML, every piece
of bank text escaped; ``static/app.js`` adds the live preview and the Check button."""
from __future__ import annotations

from html import escape
from typing import Any

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
<main>
"""

FOOT = """</main>
<footer><p>derivcheck self-check. Answers are checked on this computer; nothing is sent elsewhere.</p></footer>
</body>
</html>
"""


def render(questions: list[dict[str, Any]], title: str = "derivcheck self-check") -> str:
    """The whole page for ``questions`` (as ``questions --json`` lists them)."""
    return HEAD.format(title=escape(title)) + "".join(_question(q) for q in questions) + FOOT


def _question(q: dict[str, Any]) -> str:
    qid = escape(str(q["id"]))
    variables = ", ".join(f"<code>{escape(name)}</code> {escape(_kind(kind))}"
                          for name, kind in (q.get("variables") or {}).items())
    example = f" Example of the syntax: <code>{escape(str(q['example']))}</code>." if q.get("example") else ""
    syntax = (f"Variables: {variables}. " if variables else "") + f"Write {escape(str(q.get('syntax', '')))}."
    return f"""<section class="question" data-question="{qid}" id="q-{qid}">
<h2><code>{qid}</code></h2>
<p class="prompt">{escape(str(q.get("prompt", "")))}</p>
<p class="syntax">{syntax}{example}</p>
<label for="a-{qid}">Your answer</label>
<textarea id="a-{qid}" rows="2" spellcheck="false" autocapitalize="off" autocomplete="off"
 placeholder="{escape(str(q.get("example") or ""))}"></textarea>
<div class="preview" data-role="preview" aria-live="polite"></div>
<div class="actions"><button type="button" data-role="check">Check</button></div>
<div class="result">
<p class="verdict" data-role="verdict" aria-live="polite"></p>
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
