"""Untrusted text -> the plain answer syntax, with a map back to the typed positions.

Plain text keeps its ASCII; the Unicode a student may type (``σ``, ``ε``, ``√``, ``²``, ``·``,
``−``, ``∞``) becomes its plain spelling (the elementwise product ``⊙``, LaTeX's ``\\odot``, is a product:
the answers are read entry by entry), and any other non-ASCII character (a Cyrillic ``а``
that looks like ``a``, a zero-width space) is rejected by name. LaTeX is translated to the same
plain syntax: its structure here (``\\frac``, ``\\sqrt``, ``^{}``, ``_{}``, ``\\left( \\right)``,
``\\cdot``, ``\\sum_{k=1}^{d}``, ``\\max_j``), its words from :mod:`.vocabulary` (the function and
constant commands ``\\ln``, ``\\arcsin``, ``\\infty``, their ``\\operatorname{...}`` forms, the Greek
letters). Nothing is evaluated here.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .errors import AnswerError
from .vocabulary import CONSTANT, FUNCTION, FUNCTIONS, LETTERS, latex_words

UNICODE = {
    "σ": "sigma", "ε": "eps", "ϵ": "eps", "π": "pi", "∞": "oo", "·": " * ", "×": " * ", "⋅": " * ",
    "∗": " * ", "⊙": " * ", "−": "-", "–": "-", "÷": "/", "⁄": "/", "∕": "/",
    "√": "sqrt", "Σ": "sum", "∑": "sum", "≤": "<=", "≥": ">=", "ℓ": "l", "\u00a0": " ",
    "α": "alpha", "β": "beta", "μ": "mu", "θ": "theta", "η": "eta", "δ": "delta",
    "ŷ": "yhat", "𝔼": "E", "𝟙": "1", "‖": "‖", "∇": "nabla", "½": "(1/2)", "¼": "(1/4)", "¾": "(3/4)",
    "⅓": "(1/3)", "⅔": "(2/3)", "∂": "d", "ᵀ": "^T ", "≈": "=", "≃": "=", "→": " => ", "⟶": " => ",
    "±": " ± ", "∓": " ∓ ", "∈": " in ", "…": "...", "′": "'", "″": "''", "∼": "~", "⋯": "...", "∫": " int ",
    "φ": "phi", "ϕ": "phi",
}
#: Unicode's subscript digits and letters: ``xᵢ`` is x_i; a run of them is one subscript (``Cᵢₙ`` is
#: C_{in}, ``w₁₂`` is w_{12}), as a run of letters in ``_{...}`` is.
SUBSCRIPTS = {**{chr(0x2080 + k): str(k) for k in range(10)}, "₋": "-", "₊": "+", "₌": "=",
              **dict(zip("ₐₑₒₓₕₖₗₘₙₚₛₜᵢᵣᵤᵥⱼ", "aeoxhklmnpstiruvj", strict=True))}
#: Unicode's superscripts: a run of them is one exponent or upper limit (``e⁻ᵗ`` is e^{-t}, ``∫₋ₐᵃ`` is
#: int_{-a}^{a}, ``x¹⁰`` is x^{10}); ``ᵀ`` stays the transpose.
SUPERSCRIPTS = {**dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True)), "⁻": "-", "⁺": "+", "⁽": "(", "⁾": ")",
                **dict(zip("ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ", "abcdefghijklmnoprstuvwxyz", strict=True))}

#: LaTeX commands that are operators, relations or layout, not words of the answer. A product sign is
#: spaced (as its Unicode forms above are), so two of them in a row are an error, never a power ``**``.
LATEX_SYNTAX = {
    "cdot": " * ", "times": " * ", "ast": " * ", "odot": " * ", "div": "/", "to": "->",
    "cdots": "...", "ldots": "...", "dots": "...",
    "mathrm": "", "mathit": "", "operatorname": "", "text": "", "mathbf": "", "boldsymbol": "", "mathbb": "",
    "mid": "|", "vert": "|", "lvert": "|", "rvert": "|", "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖",
    **dict.fromkeys(("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr", "bigg", "Bigg", "biggl", "biggr",
                     "Biggl", "Biggr", "bigm", "Bigm", "biggm", "Biggm", "middle"), ""),
    "displaystyle": "", "textstyle": "", "scriptstyle": "", "nonumber": "", "notag": "", "limits": "", "nolimits": "",
    "rm": "", "bf": "",
    "quad": " ", "qquad": " ", "pm": " ± ", "mp": " ∓ ",
    "le": "<=", "ge": ">=", "leq": "<=", "geq": ">=", "prime": "'",
    "approx": "=", "simeq": "=", "sim": "~", "mathcal": "",
}
#: Commands that set a word in a font; the word reads as the vocabulary's (``\operatorname{arcsin}``
#: as ``\arcsin``, ``\mathrm{e}`` as the constant e).
FONT_COMMANDS = ("mathrm", "operatorname", "text", "mathit", "mathbf", "boldsymbol", "mathbb", "mathcal")
#: A big operator's range as a chain of inequalities (``1<=i<=d``) or as membership of ``[d]`` (the
#: integers 1 to d), once translated and without spaces.
_RANGE_CHAIN = re.compile(r"(?P<lo>[^<>=]+)<=(?P<k>[A-Za-z])<=(?P<hi>[^<>=]+)")
_RANGE_SET = re.compile(r"(?P<k>[A-Za-z])in\[(?P<hi>[^\[\]]+)\]")
#: Decorations over a whole expression that say it stands for something else than its value: a bar
#: (a mean, a complement; over one name it is the vocabulary's conjugate, ``\overline{z}``), a wide
#: hat or tilde (an estimate), a strike-out.
_DECORATIONS = frozenset({"overline", "widehat", "widetilde", "cancel", "bcancel", "xcancel", "sout", "st",
                          "cancelto"})
#: One name, as a bar over it writes the vocabulary's conjugate (``\overline{z}``), not a decoration.
_LONE_NAME = re.compile(r"\s*\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?\s*")
#: A brace label that opens with an operation's sign (``\times 2``, ``\cdot 2``, ``+ 1``, ``/2``, ``^2``).
_LABEL_SIGN = re.compile(r"\s*(?:[-+*/^\u00d7\u00b7\u00f7]|\\(?:times|cdot|div|pm|mp|sqrt|frac)(?![A-Za-z]))")


def brace_label_operates(label: str) -> bool:
    """Whether the label of an ``\\underbrace``/``\\overbrace`` says its part is operated on, so the
    part is not what the student means: the label opens with an operation's sign (``_{\\times 2}``,
    ``^{\\cdot 2}``, ``_{/2}``) or holds a word of an operation (:data:`.sentences.OPERATION_WORDS`:
    ``_{\\text{times 2}}``, ``^{\\text{squared}}``, ``_{\\text{halved}}``). A label that names the part
    (``_{\\text{forward}}``, ``_{\\partial/\\partial W}``, ``_{\\mathrm{Var}[y]}``) or gives its value
    (``_{3nLK^2}``, never a term of the line) operates on nothing."""
    from .sentences import OPERATION_WORDS

    if _LABEL_SIGN.match(label):
        return True
    return any(w.lower() in OPERATION_WORDS for w in re.findall(r"(?<!\\)[A-Za-z]{3,}", label))


#: The denominator of a derivative, ``\partial x_j``, ``dx_j`` or ``\partial t``, once translated.
_DIFFERENTIAL = re.compile(r"\s*(?:partial\s*|d\s*)(?P<var>[A-Za-z]+(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9]))?)\s*")
_ENTRY = re.compile(r"[A-Za-z]+(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9]))?")

# The vocabulary's LaTeX spellings: command -> canonical name, and word in a font -> canonical name.
_COMMANDS, _UPRIGHT_WORDS = latex_words()
#: Functions written as big operators with an index, ``\sum_k``, ``\max_j``, ``\min_j``.
_BIG_OPERATORS = frozenset(f.name for f in FUNCTIONS if f.over_entries is not None)
_BIG_COMMANDS = frozenset(f"\\{name}" for name in _BIG_OPERATORS)
#: A sum's index over a finite set of numbers, once translated: ``m in (0,1)`` (``m \\in \\{0,1\\}``).
_OVER_SET = re.compile(r"\s*(?P<k>[A-Za-z])\s*in\s*\((?P<set>[-+0-9./ ]+(?:,[-+0-9./ ]+)*)\)\s*")


def over_set(sub: str) -> str | None:
    """``m in (0,1)`` -> ``m in {0,1}``: the plain spelling of a sum's index over a finite set of
    numbers (read by the grammar's big operator); None for any other subscript."""
    m = _OVER_SET.fullmatch(sub)
    return None if m is None else f"{m.group('k')} in {{{m.group('set').replace(' ', '')}}}"


#: A sum's index with one value left out: ``k \neq i`` (translated ``kneqi``), ``k != i``, ``k=1,k\neq i``.
_EXCLUSION = re.compile(r"(?:[A-Za-z]=1,)?(?P<k>[A-Za-z])(?:!=|neq|ne|≠)(?P<i>[A-Za-z0-9])")


def _check_characters(text: str) -> None:
    for pos, ch in enumerate(text):
        if ch == "\x00" or (unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r"):
            raise AnswerError(f"control character U+{ord(ch):04X} in the answer", pos, text)


def unicode_to_plain(text: str) -> tuple[str, list[int]]:
    """Replace the known Unicode spellings; reject other non-ASCII. Returns (text, source offsets)."""
    out, where = [], []
    i = 0
    while i < len(text):
        ch = text[i]
        scripts, mark = (SUBSCRIPTS, "_") if ch in SUBSCRIPTS else (SUPERSCRIPTS, "^")
        if ch in scripts:
            run = i
            while run < len(text) and text[run] in scripts:
                run += 1
            label = "".join(scripts[c] for c in text[i:run])
            rep = f"{mark}{label}" if len(label) == 1 else f"_{{{label}}}" if mark == "_" else f"^({label})"
            out.append(rep)
            where.extend([i] * len(rep))
            i = run
            continue
        if ch in UNICODE:
            rep = UNICODE[ch]
            if ch == "√":
                rep, consumed = _sqrt_argument(text, i + 1)
                out.append(rep)
                where.extend([i] * len(rep))
                i = consumed
                continue
            out.append(rep)
            where.extend([i] * len(rep))
        elif ord(ch) < 128:
            out.append(ch)
            where.append(i)
        else:
            name = unicodedata.name(ch, "unnamed character")
            raise AnswerError(f"unexpected character {ch!r} (U+{ord(ch):04X} {name}); type plain "
                              f"ASCII, Greek letters by name (sigma, eps) or LaTeX", i, text)
        i += 1
    return "".join(out), where


def _sqrt_argument(text: str, start: int) -> tuple[str, int]:
    """'√(' -> 'sqrt(', '√2' -> 'sqrt(2)', '√d' -> 'sqrt(d)'."""
    j = start
    while j < len(text) and text[j] == " ":
        j += 1
    if j < len(text) and text[j] == "(":
        return " sqrt", j
    m = re.match(r"[A-Za-z]+|\d+(\.\d+)?|σ|ε|π", text[j:])
    if not m:
        raise AnswerError("√ must be followed by a number, a name or a bracket", start - 1, text)
    arg = UNICODE.get(m.group(0), m.group(0))
    return f" sqrt({arg}) ", j + len(m.group(0))  # apart from the names beside it: σ√d is sigma sqrt(d)


def scalar_subscripts(text: str, scalars: set[str], names: set[str]) -> tuple[str, list[str]] | None:
    """``\\sigma_w`` -> ``\\sigma`` where sigma is a scalar of the question (it has no entries) and
    w is none of its ``names``: a subscript of letters on a scalar labels it (the sigma of w), it
    indexes nothing. Returns (the text without the labels, the labels), or None when there are
    none. Spellings: the name, its LaTeX command and its Unicode letter (``σ_w``)."""
    found: list[str] = []
    for name in sorted(scalars, key=len, reverse=True):
        spellings = [re.escape(name)] + [re.escape("\\" + c) for c, n in LETTERS.items() if n == name] \
            + [re.escape(c) for c, n in UNICODE.items() if n == name]
        pattern = re.compile(r"(?P<n>" + "|".join(spellings) + r")(?![A-Za-z])\s*_\s*(?:\{\s*(?P<a>[A-Za-z]+)\s*\}|"
                             r"(?P<b>[A-Za-z])(?![A-Za-z0-9]))")

        def drop(m: re.Match) -> str:
            label = m.group("a") or m.group("b")
            if label in names:
                return m.group(0)
            found.append(m.group(0).strip())
            return m.group("n") + " "

        text = pattern.sub(drop, text)
    return (text, found) if found else None


def looks_like_latex(text: str) -> bool:
    return "\\" in text or "{" in text or text.strip().startswith("$")


_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}]|[^\\{}]")


#: Tokens that open a bracket with its size (``\\left(``, ``\\Bigl(``), or a brace bracket ``\\{``.
_OPENERS = frozenset({"(", "\\left", "\\big", "\\Big", "\\bigl", "\\Bigl", "\\bigg", "\\Bigg", "\\biggl",
                      "\\Biggl", "\\{"})
#: Tokens that only space things out.
_SPACING = frozenset({" ", "\\!", "\\,", "\\;", "\\:", "\\ "})
#: Tokens that end the operand of a function written without brackets before a big operator.
_OPERAND_END = frozenset({"+", "-", "=", "}", ")", "\\right", ",", "<", ">"})


class _Latex:
    """A recursive translator from a LaTeX subset to the plain syntax."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def pos(self) -> int:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else len(self.text)

    def take(self) -> str:
        tok = self.tokens[self.i][0]
        self.i += 1
        return tok

    def group(self) -> str:
        """A {...} group (translated) or a single token."""
        self.skip_spaces()
        if self.peek() == "{":
            start = self.pos()
            self.take()
            inner = self.sequence(until="}")
            if self.peek() != "}":
                raise AnswerError("unbalanced '{' in LaTeX", start, self.text)
            self.take()
            return inner
        if self.peek() is None:
            raise AnswerError("LaTeX command is missing its argument", self.pos(), self.text)
        return self.command_or_char()

    def skip_argument(self) -> None:
        """Pass over an argument untranslated: a balanced ``{...}`` group, or one token (a command
        with its ``{...}`` group: ``_\\text{fwd}``)."""
        self.skip_spaces()
        if self.peek() is None:
            raise AnswerError("LaTeX command is missing its argument", self.pos(), self.text)
        start, depth = self.pos(), 0
        tok = self.take()
        if tok != "{":
            if tok.startswith("\\") and self.peek() == "{":
                self.skip_argument()
            return
        depth = 1
        while depth:
            if self.peek() is None:
                raise AnswerError("unbalanced '{' in LaTeX", start, self.text)
            tok = self.take()
            depth += (tok == "{") - (tok == "}")

    def skip_spaces(self) -> None:
        """Skip spaces and LaTeX's spacing commands (``\\!``, ``\\,``, ``\\;``, ``\\:``, ``\\ ``)."""
        while self.peek() in _SPACING:
            self.take()

    def sequence(self, until: str | None = None) -> str:
        out = []
        while self.peek() is not None and self.peek() != until:
            if self.peek() == "{":
                out.append("(" + self.group() + ")")
            elif self.peek() == "}":
                raise AnswerError("unbalanced '}' in LaTeX", self.pos(), self.text)
            else:
                out.append(self.command_or_char())
        return "".join(out)

    def command_or_char(self) -> str:
        start = self.pos()
        tok = self.take()
        if tok == "^":
            self.skip_spaces()
            if self.peek() == "(":  # e^(-t) in LaTeX: the bracket is the exponent, as in the plain syntax
                return "^" + self._bracketed()
        if tok in ("^", "_"):
            arg = self.group()
            simple = re.fullmatch(r"[A-Za-z0-9]", arg.strip())
            if tok == "_" and over_set(arg) is not None:  # sum_{m in {0,1}}: the index over a set
                return "_{" + str(over_set(arg)) + "}"
            if tok == "_" and "~" in arg:  # E_{z \sim N(0, 1)}: the variable averaged over, its law the model's
                variable = arg.split("~")[0].replace(" ", "")
                return "_" + (variable if len(variable) == 1 else "{" + variable + "}")  # E_{m_i}: one subscript
            if tok == "_":
                return "_" + (arg.strip() if simple else "{" + arg.replace(" ", "") + "}")
            if re.fullmatch(r"\s*'+\s*", arg):  # f^{\prime}: a prime, not a power
                return arg.strip()
            return "^" + (arg.strip() if simple else "(" + arg + ")")
        if tok == "]":  # \left[ F \right]_{a}^{b}: its limits kept braced (evaluation_brackets)
            return "]" + self._limits()
        if not tok.startswith("\\"):
            return tok
        name = tok[1:]
        if name in ("frac", "dfrac", "tfrac"):
            num, den = self.group(), self.group()
            return _derivative(num, den) or f"(({num})/({den}))"
        if name in ("binom", "dbinom", "tbinom") and self.peek() == "{":
            n = self.group()
            self.skip_spaces()
            return f"binomial({n}, {self.group()})" if self.peek() == "{" else f"binomial({n})"
        if name == "sqrt":
            self.skip_spaces()
            if self.peek() == "[":
                self.take()
                index = []
                while self.peek() not in ("]", None):
                    index.append(self.command_or_char())
                if self.peek() is None:
                    raise AnswerError("unclosed '[' in \\sqrt[...]", start, self.text)
                self.take()
                return f"(({self.group()})^(1/({''.join(index)})))"
            return f"sqrt({self.group()})"
        if name == "partial":  # \partial_{x_j} f: the operator d/dx_j applied to what follows
            save = self.i
            self.skip_spaces()
            if self.peek() == "_":
                self.take()
                var = self.group().strip()
                if _ENTRY.fullmatch(var):
                    return f" d/d{var} "
            self.i = save
        if name in ("underbrace", "overbrace") and self.peek() == "{":
            # \underbrace{X}_{label}, \overbrace{X}^{label}: X; the brace's label names a part, it is no
            # term, unless it says the part is operated on (brace_label_operates)
            inner = self.group()
            self.skip_spaces()
            if self.peek() == ("_" if name == "underbrace" else "^"):
                self.take()
                at = self.pos()
                label = self.group()
                if brace_label_operates(label):
                    raise AnswerError(f"the label of \\{name} says the value is operated on ({label.strip()[:40]}); "
                                      "write the operation itself", at, self.text)
            return "(" + inner + ")"
        if name in _DECORATIONS and self.peek() == "{":
            save = self.i
            lone = name == "overline" and _LONE_NAME.fullmatch(self.group()) is not None
            self.i = save
            if lone:  # \overline{z}: the vocabulary's conjugate, read below
                return self._word(_COMMANDS[name]) if name in _COMMANDS else " " + name + " "
            raise AnswerError(f"\\{name}{{...}} marks its content as something else than its value (a mean, a "
                              "complement, a struck-out term); write what it stands for", start, self.text)
        if name in ("boxed", "fbox", "framebox") and self.peek() == "{":  # a box around the answer: a bracket
            return "(" + self.group() + ")"
        if name in FONT_COMMANDS and self.peek() == "{":
            inner = self.group().strip()
            return _UPRIGHT_WORDS.get(inner, inner)
        if name in ("hat",):
            return self.group().strip() + "hat"
        if name in _COMMANDS:
            return self._word(_COMMANDS[name])
        if name in LATEX_SYNTAX:
            return LATEX_SYNTAX[name]
        if name in LETTERS:  # a space apart from what follows, but not from its prime: \sigma' is sigma'
            return LETTERS[name] + ("" if self.peek() == "'" else " ")
        if name in ("tag", "label"):  # an equation's number or label: layout, never a factor
            if self.peek() == "*":
                self.take()
            self.skip_argument()
            return " "
        if name in (",", ";", "!", " ", ":"):
            return " "
        if name in ("{", "}"):
            return "(" if name == "{" else ")"
        if name == "\\":
            raise AnswerError("line breaks (\\\\) are not allowed in an answer", start, self.text)
        if name.isalpha():
            # Any other command is read as a name: a label such as \nabla_x L = ... is then dropped,
            # and a name the question does not know is reported as such.
            return f" {name} "
        raise AnswerError(f"unsupported LaTeX command \\{name}", start, self.text)

    def _bracketed(self) -> str:
        """A round bracket and all it holds, translated, up to its matching ``)``."""
        out, depth = [], 0
        while self.peek() is not None:
            if self.peek() == "{":
                out.append("(" + self.group() + ")")
                continue
            depth += self.peek() == "("
            depth -= self.peek() == ")"
            out.append(self.command_or_char())
            if depth == 0:
                break
        return "".join(out)

    def _limits(self) -> str:
        """The limits after a closing square bracket, ``_{a}^{b}`` or ``^{b}_{a}``, as ``_{a}^{b}``
        (braced, so a one-letter bound stays apart from what follows); "" when it has not both."""
        save = self.i
        self.skip_spaces()
        marks: dict[str, str] = {}
        while self.peek() in ("_", "^") and self.peek() not in marks:
            mark = self.take()
            marks[mark] = self.group().strip()
            self.skip_spaces()
        if set(marks) != {"_", "^"}:
            self.i = save
            return ""
        return f"_{{{marks['_']}}}^{{{marks['^']}}}"

    def _word(self, word: str) -> str:
        """A vocabulary command: a function's name is followed by its argument (``\\exp(x)``,
        or without brackets ``\\log d``, ``\\sin{x}``), a logarithm may carry its base
        (``\\log_2 x`` is ``log(x, 2)``), a big operator its index (``\\sum_k``), a constant
        stands alone (``\\pi r``)."""
        if word in _BIG_OPERATORS:
            return self._big_operator(word)
        if word not in FUNCTION:
            return word + " "
        self.skip_spaces()
        base = None
        if word == "log" and self.peek() == "_":
            self.take()
            base = self.group().strip()
            self.skip_spaces()
        if self.peek() in _OPENERS or self.peek() in ("^", None):
            return f"log_{{{base}}}" if base is not None else word
        argument = self._product() if self.peek() in _BIG_COMMANDS else self._operand()
        return f" {word}({argument}, {base}) " if base is not None else f" {word}({argument}) "

    def _product(self) -> str:
        """The operand of a function before a big operator: the product that follows, up to the next
        top-level ``+``, ``-``, relation or closing bracket (``\\log\\sum_k e^{x_k}`` is log of the sum)."""
        out, depth = [], 0
        while self.peek() is not None and (depth or self.peek() not in _OPERAND_END):
            tok = self.peek()
            depth += tok == "("
            depth -= tok == ")" and depth > 0
            out.append("(" + self.group() + ")" if tok == "{" else self.command_or_char())
        return "".join(out)

    def _operand(self) -> str:
        """The operand of a function written without brackets: one group or token, with its
        subscript (``\\log x_i``, ``\\max x``); a Greek letter right before a bracket is a
        function at that argument (``\\log\\sigma(t)`` is log(sigma(t)), as a sheet names its
        functions by Greek letters)."""
        head = self.peek()
        greek = head is not None and head[1:] in LETTERS
        argument = self.group()
        if greek and self.peek() in _OPENERS and self.peek() != "\\{":
            depth = 0
            while self.peek() is not None:
                tok = self.peek()
                depth += tok == "("
                depth -= tok == ")"
                argument += self.command_or_char()
                if depth == 0 and tok == ")":
                    return argument
            return argument
        self.skip_spaces()
        if self.peek() == "_":
            argument += self.command_or_char()
        return argument

    def _big_operator(self, name: str) -> str:
        """\\sum_{k=1}^{d} -> ' sum_k ' (the limits are the whole vector), \\max_j -> ' max_j '; the
        placement of the limits (``\\limits``, ``\\nolimits``) is layout."""
        self.skip_spaces()
        while self.peek() in ("\\limits", "\\nolimits"):
            self.take()
            self.skip_spaces()
        index, sub, upper = "", "", ""
        if self.peek() == "_":
            self.take()
            sub = self.group().strip()
            index = next((ch for ch in sub if ch.isalpha()), "")
            self.skip_spaces()
            if self.peek() == "^":
                self.take()
                upper = self.group().strip()
        if index and over_set(sub) is not None:  # \sum_{m \in \{0,1\}}: the summand at each element
            if upper:
                raise AnswerError(f"a sum over a set has no upper limit (^{{{upper}}})", self.pos(), self.text)
            return f" {name}_{{{over_set(sub)}}} "
        if index:
            lower = sub.replace(" ", "")
            excluded = _EXCLUSION.fullmatch(lower)
            if excluded:  # \sum_{k \neq i}: every k but i (read in derivations)
                return f" {name}_{{{excluded.group('k')}!={excluded.group('i')}}} "
            if "," in lower:  # \sum_{i,j}: a sum per index (read in derivations)
                return f" {name}_{{{lower}}}" + (f"^{{{upper}}} " if upper else " ")
            if re.fullmatch(r"[A-Za-z]=[^{}]+", lower) or upper:  # \sum_{i=1}^{d}: the range is kept
                bounds = f"{lower if '=' in lower else index}" + ("}^{" + upper if upper else "")
                return f" {name}_{{{bounds}}} "
            ranged = _RANGE_CHAIN.fullmatch(lower) or _RANGE_SET.fullmatch(lower)
            if ranged is not None and not upper:  # \sum_{1 \le i \le d}, \sum_{i \in [d]}: i = 1, ..., d
                return f" {name}_{{{ranged.group('k')}={ranged.groupdict().get('lo') or 1}}}^{{{ranged.group('hi')}}} "
            if lower != index:  # a condition not read above is never dropped silently
                raise AnswerError(f"cannot read the range of \\{name}_{{{sub}}}", self.pos(), self.text)
            return f" {name}_{index} "
        if self.peek() in _OPENERS or self.peek() is None:
            return f" {name}"
        return f" {name}({self._operand()}) "  # \max x: the largest entry of x


def _derivative(num: str, den: str) -> str | None:
    """``\\frac{\\partial L}{\\partial x_j}`` -> ``(dL/dx_j)``, ``\\frac{\\partial}{\\partial x_j}`` ->
    ``d/dx_j`` (applied to what follows), ``\\frac{\\partial \\log z_i}{\\partial x_j}`` ->
    ``(d/dx_j (log(z_i)))``; None when the fraction is not a derivative."""
    bottom = _DIFFERENTIAL.fullmatch(den)
    top = re.fullmatch(r"\s*(partial|d)(?![A-Za-z])\s*(?P<rest>.*)", num, re.S) or re.fullmatch(
        r"\s*d(?P<rest>[A-Za-z].*)", num, re.S)
    if bottom is None or top is None:
        return None
    var, rest = bottom.group("var"), top.group("rest").strip()
    if not rest:
        return f" d/d{var} "
    if _ENTRY.fullmatch(rest):
        return f"(d{rest}/d{var})"
    return f"(d/d{var} ({rest}))"


def latex_to_plain(text: str) -> str:
    """Translate the LaTeX subset to the plain syntax (math delimiters stripped)."""
    stripped = text.strip()
    for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if stripped.startswith(left) and stripped.endswith(right) and len(stripped) >= len(left) + len(right):
            stripped = stripped[len(left):len(stripped) - len(right)]
            break
    translator = _Latex(stripped)
    out = translator.sequence()
    # "\sum_k" and "\max_j" leave "sum_k"/"max_j" for the grammar's big operators.
    return re.sub(r"\s+", " ", out).strip()


#: A function of one argument written without brackets in plain text, as LaTeX allows (``log z_i``,
#: ``exp x_k``, ``sqrt d``): its operand is the one name (with its subscript) or number after it. A big
#: operator without its index is such a function too (``max x``, as ``\\max x``: the largest entry of x).
_BARE_CALL = re.compile(
    r"(?<![A-Za-z0-9_])(?P<f>" + "|".join(sorted((n for n, f in FUNCTION.items() if f.arity[0] == 1),
                                                 key=len, reverse=True)) + r")"
    r"[ \t]+(?=[A-Za-z0-9])")
_GREEK = "|".join(sorted(set(LETTERS.values()), key=len, reverse=True))
_ATOM = re.compile(r"(?:(?:" + _GREEK + r")\([^()]*\)|[A-Za-z][A-Za-z0-9]*(?:_(?:\{[A-Za-z0-9,]+\}|[A-Za-z0-9]))?"
                   r"|\d+(?:\.\d+)?)(?![A-Za-z0-9_(\[])")
_BIG = re.compile(r"(?:sum|max|min)_(?:\{[^{}]*\}|[A-Za-z])(?:\^(?:\{[^{}]*\}|\([^()]*\)|[A-Za-z0-9]+))?")


def _operand_end(text: str, start: int) -> int | None:
    """Where the operand of a bracket-free function ends: after one name (with its subscript) or
    number, or a Greek letter's function at its bracket (``log sigma(t)``); before a big operator
    (``log sum_k e^(x_k)``), at the end of the product that follows (the next top-level ``+``,
    ``-``, ``=``, ``,`` or closing bracket)."""
    big = _BIG.match(text, start)
    if big is None:
        atom = _ATOM.match(text, start)
        return atom.end() if atom is not None and atom.group(0) not in FUNCTION else None
    depth, pos = 0, big.end()
    while pos < len(text):
        ch = text[pos]
        if depth == 0 and ch in "+-=,)]}" and text[pos - 1] not in "^_":
            break
        depth += ch in "([{"
        depth -= ch in ")]}"
        pos += 1
    return len(text[:pos].rstrip()) if text[big.end():pos].strip() else None


def bare_calls(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``log z_i`` -> ``log(z_i)``, ``log sum_k e^(x_k)`` -> ``log(sum_k e^(x_k))`` (offsets kept):
    the bracket-free function of plain text, read as LaTeX's ``\\log z_i`` and ``\\log\\sum_k``
    are; an operand that is itself a function's name is left alone."""
    out, at, last, pos = [], [], 0, 0
    while (m := _BARE_CALL.search(plain, pos)) is not None:
        arg = m.end()
        stop = _operand_end(plain, arg)
        pos = arg
        if stop is None:
            continue
        pos = stop
        out.append(plain[last:m.end("f")] + "(" + plain[arg:stop] + ")")
        at.extend([*where[last:m.end("f")], where[arg], *where[arg:stop], where[stop - 1]])
        last = stop
    out.append(plain[last:])
    at.extend(where[last:])
    return "".join(out), at


_TUPLE = re.compile(r"\s*[(\[]\s*(?P<a>[^,]+?)\s*,(?:[^,]+,)?\s*\.\.\.\s*,\s*(?P<b>[^,]+?)\s*[)\]]\s*")


def entry_tuple(plain: str) -> str | None:
    """``(z_1 - y_1, ..., z_d - y_d)`` -> ``z_i - y_i``: a vector written by its first and last
    entries is its entry i, when the last entry is the first with every index 1 turned into the
    same last index (a name: d, n); None for any other text."""
    m = _TUPLE.fullmatch(plain)
    if m is None:
        return None
    first, last = m.group("a"), m.group("b")
    letter = next((c for c in "ijk" if not re.search(rf"(?<![A-Za-z]){c}(?![A-Za-z])", first)), None)
    ends = set(re.findall(r"_\{?([A-Za-z]+)\}?", last)) - set(re.findall(r"_\{?([A-Za-z]+)\}?", first))
    if letter is None or len(ends) != 1 or not re.search(r"_\{?1\}?(?![0-9])", first):
        return None
    end = ends.pop()
    generic = re.sub(r"_\{?1\}?(?![0-9])", f"_{letter}", first)
    if re.sub(r"\s+", "", re.sub(rf"_\{{?{end}\}}?(?![A-Za-z0-9])", f"_{letter}", last)) != re.sub(r"\s+", "", generic):
        return None
    return generic


#: A numeric approximation after the answer, with the point it was taken at: ``≈ 0.14``,
#: ``\approx 0.14 for d = 100``.
_APPROXIMATION = re.compile(r"(?<=\S)\s*(?:≈|\\approx(?![A-Za-z]))\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
                            r"(?:\s*(?:for|at|when|with)\s+\\?[A-Za-z]+\s*=\s*[-+]?\d+(?:\.\d+)?)?\s*\.?\s*$")


#: A prime on a function of one variable, ``f'(t)``, Unicode's prime (U+2032), ``\\sigma^{\\prime}(t)``
#: (all read ``f'(t)``).
_PRIME = re.compile(r"(?<![A-Za-z0-9_])(?P<f>[A-Za-z]+)\s*'\s*\(\s*(?P<v>[A-Za-z])\s*\)"
                    r"|(?<![A-Za-z0-9_])d\s*(?P<g>" + "|".join(sorted(set(LETTERS.values()), key=len, reverse=True))
                    + r")\s*/\s*d\s*(?P<w>[A-Za-z])(?![A-Za-z0-9_(\[])")


def primes(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``f'(t)`` -> ``(d/dt f(t))``: the derivative of the function f at its one variable, when f is
    a function (of :mod:`.vocabulary`, or a Greek letter, as a sheet names its functions: σ'(t));
    ``L'(t)`` -> ``(dL/dt)`` for any other name (a quantity that depends on t: L(t) is L, not L
    times t). Leibniz's ``dσ/dt`` of a Greek letter is the same derivative, ``(d/dt sigma(t))``,
    as a sheet's function has no value of its own to differentiate. A prime without its variable
    (``s'``) or a second prime is left as typed: the variable is not written, so which derivative
    is meant is not either (the parser refuses it where it must be read; a label ``s' = ...`` is
    set aside as any label is), except on a defined name of a model that depends on one parameter
    only, which the line reader knows (:func:`.working.defined_primes`)."""
    out, at, last = [], [], 0
    for m in _PRIME.finditer(plain):
        f, v = m.group("f") or m.group("g"), m.group("v") or m.group("w")
        function = f in FUNCTION or f in LETTERS.values()
        new = f"(d/d{v} {f}({v}))" if function else f"(d{f}/d{v})"
        out.append(plain[last:m.start()] + new)
        at.extend([*where[last:m.start()], *[where[m.start()]] * len(new)])
        last = m.end()
    out.append(plain[last:])
    at.extend(where[last:])
    return "".join(out), at


#: A double bar where an operand starts: a norm ``||x||``.
_NORM = re.compile(r"(?:^|[-+*/^,=(\[{])\s*\|\s*\|")


def absolute_values(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``|t|`` -> ``abs(t)`` (offsets kept): a bar where an operand may start opens an absolute value,
    a bar after an operand closes the innermost open one; any other bar is a condition
    (``E[y | z]``, ``P(z > 0 | x)``). A double bar ``||x||`` is a norm, never read as abs(abs(x))."""
    if "|" not in plain or _NORM.search(plain):
        return plain, where
    out, at, open_bars, last = [], [], 0, ""
    for ch, pos in zip(plain, where, strict=True):
        if ch == "|":
            if last in ("", "(", "[", "{", "+", "-", "*", "/", "^", ",", "="):
                out.append("abs(")
                at.extend([pos] * 4)
                open_bars += 1
                last = "("
                continue
            if open_bars:
                out.append(")")
                at.append(pos)
                open_bars -= 1
                last = ")"
                continue
        out.append(ch)
        at.append(pos)
        if not ch.isspace():
            last = ch
    return "".join(out), at


#: The head an evaluation bracket is read as: ``[F]_{a}^{b}`` -> ``evaluated((F), a, b)``
#: (:meth:`.symbolic.Builder.evaluation`).
EVALUATION = "evaluated"
_BOUND = r"\{[^{}]*\}|\([^()]*\)|[-+]?\s*[A-Za-z0-9.]+"
_LIMITS = re.compile(r"\s*(?:_\s*(?P<lo>" + _BOUND + r")\s*\^\s*(?P<hi>" + _BOUND + r")"
                     r"|\^\s*(?P<hi2>" + _BOUND + r")\s*_\s*(?P<lo2>" + _BOUND + r"))")


def _opening(text: str, close: int) -> int | None:
    """Where the bracket that closes at ``close`` opens (any bracket kind nests); None if nowhere."""
    depth = 0
    for pos in range(close, -1, -1):
        depth += text[pos] in ")]}"
        depth -= text[pos] in "([{"
        if depth == 0:
            return pos
    return None


def evaluation_brackets(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``[w^3/3]_{-a}^{a}`` -> ``evaluated((w^3/3), -a, a)`` (offsets kept): a square bracket with a
    lower and an upper limit is its content evaluated between them, F(b) - F(a), for the one name
    the notation binds (:meth:`.symbolic.Builder.evaluation`). An operator's bracket (``E[X]``)
    is not one. The first closing bracket with limits is read first, so
    brackets inside the content before those outside."""
    from .probability import OPERATORS

    while True:
        for m in re.finditer(r"\]", plain):
            limits = _LIMITS.match(plain, m.end())
            if limits is None:
                continue
            open_at = _opening(plain, m.start())
            before = re.search(r"([A-Za-z]+)\s*$", plain[:open_at])
            if open_at is None or plain[open_at] != "[" or (before is not None and before.group(1) in OPERATORS):
                continue
            lo = (limits.group("lo") or limits.group("lo2")).strip()
            hi = (limits.group("hi") or limits.group("hi2")).strip()
            lo, hi = (b[1:-1] if b[:1] in "{(" else b for b in (lo, hi))
            body = plain[open_at + 1:m.start()]
            new = f" {EVALUATION}(({body}), {lo}, {hi}) "
            head = len(EVALUATION) + 3
            at = [where[open_at]] * head + where[open_at + 1:m.start()] \
                + [where[m.start()]] * (len(new) - head - len(body))
            plain = plain[:open_at] + new + plain[limits.end():]
            where = where[:open_at] + at + where[limits.end():]
            break
        else:
            return plain, where


#: A name, a space, then a bracket: ``y/s (ds/dt)`` (not after ``d/``: ``d/dt (1 + e^{-t})``).
_SPACED_BRACKET = re.compile(r"(?<![A-Za-z0-9_])(?<!d/)(?P<name>[A-Za-z][A-Za-z0-9]*)[ \t]+(?=\()")


def spaced_products(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``-y/s (ds/dt)`` -> ``-y/s *(ds/dt)``: in plain text a name set apart from the bracket after it
    multiplies by it as any juxtaposition does, so the bracket multiplies the whole quotient before
    it, ``(-y/s)(ds/dt)``, as ``y/s t`` is ``(y/s) t``; ``s(1-s)`` typed together keeps binding as
    one factor. A function (``log (x)``, ``sigma (t)``) or an operator (``E (X)``) still takes its
    bracket. Offsets kept (the ``*`` points at its bracket)."""
    from .probability import OPERATORS

    out, at, last = [], [], 0
    for m in _SPACED_BRACKET.finditer(plain):
        name = m.group("name")
        if name in FUNCTION or name in LETTERS.values() or name in OPERATORS or name in _BIG_OPERATORS:
            continue
        out.append(plain[last:m.end()] + "*")
        at.extend([*where[last:m.end()], where[min(m.end(), len(where) - 1)]])
        last = m.end()
    out.append(plain[last:])
    at.extend(where[last:])
    return "".join(out), at


#: The variable of an expectation with its law, ``E_{z~N(0,1)}``: the law is the model's.
_OVER_LAW = re.compile(r"_\{\s*([A-Za-z][A-Za-z0-9]*)\s*~[^{}]*\}")
#: An indicator with its event as a subscript, ``1_{z>0}`` (``\mathbb{1}_{z > 0}``).
_INDICATOR_SUB = re.compile(r"(?<![A-Za-z0-9_.])1_\{([^{}]*(?:<|>)[^{}]*)\}")


def subscript_events(plain: str, where: list[int]) -> tuple[str, list[int]]:
    """``E_{z~N(0,1)}[...]`` -> ``E_z[...]`` and ``1_{z>0}`` -> ``1(z>0)`` (an indicator, read as
    ``1{z > 0}`` is): what a subscript says about an expectation's variable or an indicator's event.
    Offsets kept (a replacement points where its match starts)."""
    for pattern, new in ((_OVER_LAW, "_{}"), (_INDICATOR_SUB, "1({})")):
        out, at, last = [], [], 0
        for m in pattern.finditer(plain):
            piece = new.format(m.group(1))
            out.append(plain[last:m.start()] + piece)
            at.extend([*where[last:m.start()], *[where[m.start()]] * len(piece)])
            last = m.end()
        out.append(plain[last:])
        at.extend(where[last:])
        plain, where = "".join(out), at
    return plain, where


def to_plain(text: str) -> tuple[str, list[int] | None, bool]:
    """(plain text, offsets back into ``text`` or None for LaTeX, whether it was LaTeX). A numeric
    approximation after the answer (``sqrt(2/d) ≈ 0.14 for d = 100``) is an illustration, not a
    statement: it is dropped (the text before it keeps its offsets). Primes and absolute-value
    bars are read here, for final answers and lines alike (:func:`primes`, :func:`absolute_values`)."""
    _check_characters(text)
    text = _MODULE_PREFIX.sub(lambda m: " " * len(m.group(0)), text)  # np.log -> log: offsets stand
    text = _APPROXIMATION.sub("", text)
    plain, where = unicode_to_plain(text)
    if looks_like_latex(text):  # as typed: a run of Unicode subscripts (C_{in}) is plain text
        plain = _PARTIAL_SLASH.sub(r"\\frac{\\partial \g<f>}{\\partial \g<v>}", plain)
        translated = latex_to_plain(plain).replace("**", "^")
        translated = absolute_values(*primes(*subscript_events(translated, list(range(len(translated))))))[0]
        translated = bare_calls(translated, list(range(len(translated))))[0]  # log z_i typed without \log
        translated = evaluation_brackets(translated, list(range(len(translated))))[0]
        translated = entry_tuple(translated) or translated
        return _LEADING_EQUALS.sub("", translated), None, True
    plain, where = absolute_values(*primes(*subscript_events(plain, where)))
    plain, where = spaced_products(plain, where)
    plain, where = bare_calls(plain, where)
    plain, where = evaluation_brackets(plain, where)
    plain = _LEADING_EQUALS.sub(lambda m: " " * len(m.group(0)), plain)  # same length: offsets stand
    entry = entry_tuple(plain)
    if entry is not None:  # each character of the entry points at the tuple's first entry
        plain, where = entry, [where[min(plain.index(entry[:1]), len(where) - 1)]] * len(entry)
    return plain.replace("**", "^ "), where, False


#: A library's prefix before one of the functions or constants every answer may use, as a notebook
#: spells them (``np.log``, ``math.sqrt``, ``torch.exp``, ``F.relu``, ``np.pi``): the function itself.
_MODULE_PREFIX = re.compile(
    r"(?<![\w.])(?:torch\.nn\.functional|scipy\.special|numpy|np|math|torch|F)\.(?=(?:"
    + "|".join(sorted(map(re.escape, FUNCTION | CONSTANT), key=len, reverse=True)) + r")(?![\w.]))")


#: A partial derivative written with a slash, ``\\partial L / \\partial x_j``: the fraction
#: ``\\frac{\\partial L}{\\partial x_j}``, as ``dL/dx_j`` is in plain text.
_ENTRY_NAME = r"[A-Za-z]+(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9]))?"
_PARTIAL_SLASH = re.compile(rf"\\partial\s*(?P<f>{_ENTRY_NAME})\s*/\s*\\partial\s*(?P<v>{_ENTRY_NAME})(?![A-Za-z0-9_])")


#: An answer opening with ``=`` (or ``≈``, read ``=``) states what follows, as a line of working does.
_LEADING_EQUALS = re.compile(r"^\s*=(?![=>])")


#: A run of letters and digits typed together that holds a plain subscript of several characters
#: (``C_in``, ``nHWC_inC_outk``); its start may follow a number (``6nHWC_in...``).
_SUBSCRIPT_RUN = re.compile(r"(?<![A-Za-z_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![A-Za-z0-9_{])")
#: The longest run split into names (longer runs are left as typed).
_LONGEST_RUN = 64


def name_covers(run: str, names: Iterable[str], most: int = 2) -> list[list[str]]:
    """Up to ``most`` ways to write ``run`` as names typed together (``nHWC_inC_outk`` -> n H W C_in
    C_out k), each suffix searched once (memoised): polynomial in the run's length."""
    known = sorted(set(names), key=len, reverse=True)
    memo: dict[int, list[list[str]]] = {len(run): [[]]}

    def search(at: int) -> list[list[str]]:
        if at not in memo:
            found: list[list[str]] = []
            for name in known:
                if name and run.startswith(name, at):
                    found.extend([name, *tail] for tail in search(at + len(name)))
                    if len(found) >= most:
                        break
            memo[at] = found[:most]
        return memo[at]

    for at in range(len(run), -1, -1):  # the suffixes from the end: no deep recursion
        search(at)
    return memo[0]


def _braced(name: str) -> str:
    base, _, sub = name.partition("_")
    return f"{base}_{{{sub}}}" if len(sub) > 1 else name


def braced_names(names: Iterable[str], text: str) -> str:
    """Declared names with a subscript of several characters (``n_in``, ``C_out``), written in plain
    text, braced as the grammar reads such a subscript (``n_{in}``): a plain subscript is one
    character, so ``n_in`` would otherwise read as ``n_i`` times ``n``. A run of letters typed
    together around such subscripts (``nHWC_inC_outk``, ``6nHWC_inC_outk^2``) is split where the
    rest of the run is again a product of declared names: when it splits in exactly one way it is
    those names (``n H W C_{in} C_{out} k``); a run that splits in several ways is refused, one
    that splits in none is left as typed (``w_ix_i``: the grammar's one-character subscripts)."""
    names = set(names)
    if not any("_" in n for n in names):
        return text

    def split(m: re.Match) -> str:
        run = m.group(0)
        if len(run) > _LONGEST_RUN or not re.search(r"_[A-Za-z0-9]{2}", run):
            return run
        covers = name_covers(run, names)
        if len(covers) > 1:
            raise AnswerError(f"{run!r} splits into this question's names in several ways "
                              f"({' '.join(covers[0])}, {' '.join(covers[1])}): write them apart", m.start())
        return " ".join(_braced(n) for n in covers[0]) if covers else run

    return _SUBSCRIPT_RUN.sub(split, text)
