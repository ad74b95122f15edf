"""LaTeX -> MathML for the page (Chromium and Firefox render MathML natively: nothing to download).

The LaTeX comes from the one printer of formulas, :func:`derivcheck.derivations.claim.to_latex`
(the report's, the page's and the notebook's: the sheet's names such as eps as \\varepsilon, its
order of terms), or from the sheet's wording; it is converted as it is, never patched.

``latex2mathml`` does not escape the text it copies (``\\text{<b>}`` comes out as ``<b>``), so its
output is parsed as XML and rebuilt from an allowlist of presentation-MathML elements and
attributes, every text and attribute value escaped; anything else gives ``None`` and the page shows
the LaTeX as text instead. Every ``<math>`` carries its LaTeX as ``alttext`` (what a screen reader
reads when it does not read MathML).

:func:`prose` turns a sentence with ``$...$`` maths (the student wording of
``derivcheck.report.wording``) into HTML: the text escaped, each formula MathML from the same
:func:`to_mathml` as the page's preview.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

NS = "{http://www.w3.org/1998/Math/MathML}"
ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot",
    "mstyle", "mtable", "mtr", "mtd", "munder", "mover", "munderover", "mpadded", "mphantom", "menclose", "merror",
    "semantics", "annotation"))
ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "width", "height", "depth",
    "columnalign", "rowspacing", "columnspacing", "displaystyle", "scriptlevel", "form", "movablelimits", "accent",
    "accentunder", "linethickness", "minsize", "maxsize", "symmetric", "notation", "linebreak", "largeop"))
#: Longest LaTeX converted (SymPy's LaTeX of an answer within the grader's limits is far shorter).
MAX_LATEX = 20_000


def to_mathml(latex: str | None, display: bool = False) -> str | None:
    """The MathML of ``latex`` (sanitised, see the module docstring), or None when it cannot be made."""
    if not latex or len(latex) > MAX_LATEX:
        return None
    from latex2mathml.converter import convert

    try:
        raw = convert(latex, display="block" if display else "inline")
        root = ET.fromstring(raw)
    except Exception:  # noqa: BLE001 - the converter raises many kinds; no preview is the answer
        return None
    out: list[str] = []
    return "".join(out) if _write(root, out, top=True, alttext=latex) else None


#: A formula in a sentence: ``$...$`` (no nesting; ``\$`` is a dollar sign, not a delimiter).
INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)


def prose(text: str) -> str:
    """HTML of a sentence with ``$...$`` formulas: the words escaped, each formula inline MathML
    (its LaTeX as escaped text when it cannot be converted, or without latex2mathml)."""
    out, last = [], 0
    for found in INLINE.finditer(text):
        out.append(escape(text[last:found.start()].replace(r"\$", "$"), quote=False))
        try:
            mathml = to_mathml(found.group(1))
        except ImportError:
            mathml = None
        out.append(mathml or f"<code>{escape(found.group(1), quote=False)}</code>")
        last = found.end()
    out.append(escape(text[last:].replace(r"\$", "$"), quote=False))
    return "".join(out)


def _write(node: ET.Element, out: list[str], top: bool = False, alttext: str = "") -> bool:
    """Append the sanitised XML of ``node`` to ``out``; False when it holds anything not allowed."""
    if not node.tag.startswith(NS):
        return False
    name = node.tag[len(NS):]
    if name not in ELEMENTS or (name == "math") != top:
        return False
    attrs = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in sorted(node.attrib.items()) if k in ATTRIBUTES)
    if any(k not in ATTRIBUTES and k != "xmlns" for k in node.attrib):
        return False
    if top:
        attrs = f' xmlns="{NS[1:-1]}" alttext="{escape(alttext, quote=True)}"' + attrs
    out.append(f"<{name}{attrs}>{escape(node.text or '', quote=False)}")
    for child in node:
        if not _write(child, out):
            return False
        out.append(escape(child.tail or "", quote=False))
    out.append(f"</{name}>")
    return True
