"""One line of a derivation -> SymPy, as written: sums, expectations and derivatives left unevaluated.

The same front end as a final answer (Unicode and LaTeX normalised, Lark parse with bounds, no
eval), then a :class:`Reader` that knows the question's :class:`~.model.Model`: ``w_i`` is an entry
of a family (``Indexed``), ``sum_{i=1}^{d} f`` a ``Sum`` over the index's range, ``E[.]``,
``Var(.)``, ``Cov(.,.)``, ``P(.)`` with an optional condition ``| z`` the inert heads of
:mod:`.probability`, ``delta_ij`` a Kronecker delta, ``d/dx_j f`` and ``dL/dx_j`` a
``Derivative``. :mod:`.unroll` gives the result its value at a point of the model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .bounds import bound
from .errors import AnswerError
from .laws import LAWS, Bernoulli, Law, Uniform, split_args
from .limits import DEFAULT, Limits
from .model import Model
from .normalize import braced_names, to_plain
from .parser import parse_plain
from .probability import OPERATORS
from .symbolic import Builder, Vocabulary
from .tree import Big, Call, Compare, Deriv, Given, Index, Name, Node, Num, Sub
from .vocabulary import FUNCTION, LETTERS

#: ``delta_ij``, ``delta_{ij}``, ``delta_{i,j}`` (LaTeX ``\delta_{ij}``): Kronecker's delta of two indices.
_DELTA = re.compile(r"\bdelta\s*_\s*(?:\{\s*([A-Za-z0-9])\s*,?\s*([A-Za-z0-9])\s*\}"
                    r"|([A-Za-z0-9])([A-Za-z0-9])(?![A-Za-z0-9]))")
_RELATIONS = {">": sp.StrictGreaterThan, "<": sp.StrictLessThan, ">=": sp.GreaterThan, "<=": sp.LessThan,
              "!=": sp.Unequality}


def index_symbol(letter: str) -> sp.Symbol:
    """The SymPy symbol of an index letter (an integer)."""
    return sp.Symbol(letter, integer=True)


def family(name: str) -> sp.IndexedBase:
    """The SymPy base of a family with entries (``w`` of ``w_i``); its entries are real."""
    return sp.IndexedBase(name, real=True)


def plain_line(text: str) -> tuple[str, bool]:
    """A line's plain spelling (LaTeX translated), Kronecker deltas as ``delta(i, j)``, absolute
    value bars as ``abs(...)``."""
    plain, _, is_latex = to_plain(text)
    plain = _DELTA.sub(lambda m: f"delta({m.group(1) or m.group(3)},{m.group(2) or m.group(4)})", plain)
    plain = _NABLA.sub(lambda m: f"d/d{m.group(1)} ", plain)
    plain = _MULTI_SUM.sub(_double_sum, plain)
    plain = _EXCLUDING.sub(lambda m: f"sum_{m.group('k')} (1 - delta({m.group('k')},{m.group('i')})) ", plain)
    plain = _DOUBLE_BARS.sub(lambda m: f"‖{m.group(1)}‖", plain)
    return indicators(absolute_bars(plain)), is_latex


#: ``||x||``: a norm of one name, wherever it stands (``E[sigma^2 ||x||^2]``), never two absolute values.
_DOUBLE_BARS = re.compile(r"\|\|\s*([A-Za-z][A-Za-z0-9]*)\s*\|\|")


#: ``sum_{k != i} f``: the sum over every k but i, read ``sum_k (1 - delta(k, i)) f``.
_EXCLUDING = re.compile(r"\bsum_\{\s*(?P<k>[A-Za-z])\s*!=\s*(?P<i>[A-Za-z0-9])\s*\}\s*")


#: ``1`` right before a bracket, as in ``1{z > 0}``, ``1[z > 0]``, ``\mathbb{1}\{z > 0\}``, or the
#: indicator's ``I`` (``\mathbb{I}[z > 0]``).
_ONE = re.compile(r"(?<![A-Za-z0-9_.])(?:1|I)\s*(?=[(\[])")


def indicators(text: str) -> str:
    """``1{z > 0}`` (read ``1(z > 0)``), ``1[z > 0]`` and ``I[z > 0]`` -> ``indicator(z > 0)``: a 1 or
    an I before a bracket that holds a comparison is the indicator of that event."""
    out, last = [], 0
    for m in _ONE.finditer(text):
        open_at = m.end()
        close = _matching(text, open_at)
        if close is None or open_at < last or not re.search(r"[<>]|!=", text[open_at + 1:close]):
            continue
        out.append(text[last:m.start()] + f"indicator({text[open_at + 1:close]})")
        last = close + 1
    return "".join(out) + text[last:]


#: ``nabla_x L`` (LaTeX ``\nabla_x L``): the gradient, the derivative along x.
_NABLA = re.compile(r"\bnabla\s*_\s*\{?\s*([A-Za-z]+)\s*\}?\s*")
#: ``sum_{i,j}`` and ``sum_{i,j=1}^{d}``: one sum per index.
_MULTI_SUM = re.compile(r"\bsum_\{\s*([A-Za-z](?:\s*,\s*[A-Za-z])+)\s*(=[^{}]*)?\}"
                        r"(\^(?:\{[^{}]*\}|\([^()]*\)|[A-Za-z0-9]+))?")


def _double_sum(m: re.Match) -> str:
    letters = [c.strip() for c in m.group(1).split(",")]
    lower, upper = m.group(2) or "", m.group(3) or ""
    return " ".join(f"sum_{{{c}{lower}}}{upper}" if (lower or upper) else f"sum_{c}" for c in letters) + " "


def absolute_bars(text: str) -> str:
    """``|y|`` -> ``abs(y)``: a bar where an operand may start opens an absolute value, a bar
    after an operand closes the innermost open one; any other bar is a condition (``E[y | z]``)."""
    out, open_bars, last = [], 0, ""
    for ch in text:
        if ch == "|":
            if last in ("", "(", "[", "{", "+", "-", "*", "/", "^", ",", "=", "|"):
                out.append("abs(")
                open_bars += 1
                last = "("
                continue
            if open_bars:
                out.append(")")
                open_bars -= 1
                last = ")"
                continue
        out.append(ch)
        if not ch.isspace():
            last = ch
    return "".join(out)


@dataclass(frozen=True)
class Line:
    """A read line: its SymPy form (an equation is ``Eq``), and how it was written."""

    expr: sp.Basic
    plain: str
    latex: bool


def read_line(model: Model, text: str, limits: Limits = DEFAULT, equation: bool = False) -> Line:
    """Read one statement under ``model``; an equation ``a = b`` when ``equation`` (``Eq(a, b)``)."""
    if len(text) > limits.max_length:
        raise AnswerError(f"the line is {len(text):,} characters long (at most {limits.max_length:,})")
    plain, is_latex = plain_line(text)
    plain = defined_primes(model, law_moments(plain))
    plain = leibniz(model, glued_numerators(model, integrals(model, plain)))
    plain = over_family(model, inner_products(model, vector_sums(model, derivative_reach(model, plain))))
    plain = labelled_parameters(model, plain)
    sides = _split_top(plain, "=") if equation else [plain]
    if any(not s.strip() for s in sides) or len(sides) > 2:
        raise AnswerError("an equation needs one '=' with something on both sides", None, text)
    _balanced(plain)
    signs = [_PLUS_MINUS.match(side) for side in sides]
    sides = [side[m.end():] if m else side for side, m in zip(sides, signs, strict=True)]
    if any("±" in side or "∓" in side for side in sides) or (any(signs) and len(sides) != 2):
        raise AnswerError("± is read only as the sign of a whole side of an equation (sigma = ±sqrt(2/d))",
                          None, text)
    built = []
    for side in sides:
        tree = parse_plain(braced_names(model.parameters, side), limits)
        bound(tree, limits)
        built.append(Reader(model, side, limits).build(tree))
    if any(signs):  # a = ±b says a is b or -b: a^2 = b^2 for real a, b
        built = [b ** 2 for b in built]
    expr = sp.Eq(built[0], built[1], evaluate=False) if len(built) == 2 else built[0]
    return Line(expr, plain, is_latex)


#: The sign of a whole side: ``±``, ``∓`` (``\pm``, ``\mp``), and plain text's ``+-`` and ``+/-``.
_PLUS_MINUS = re.compile(r"\s*(?:±|∓|\+\s*/?\s*-)\s*")


#: The start of a Leibniz quotient whose numerator is a bracket or a call: ``d(log z_i)/dx_j``,
#: ``d log(z_y) / dx_j`` (``∂`` is read ``d``).
_LEIBNIZ = re.compile(r"(?<![A-Za-z0-9_])d\s*(?=\()|(?<![A-Za-z0-9_])d\s+(?=[A-Za-z][A-Za-z0-9]*\s*\()")
_BY = re.compile(r"\s*/\s*d\s*(?P<var>(?P<base>[A-Za-z]+)(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9])|\[[A-Za-z0-9]\])?)"
                 r"(?![A-Za-z0-9_(\[])")


def leibniz(model: Model, text: str) -> str:
    """``d(f)/dv`` and ``d g(u)/dv`` -> ``(d/dv (f))``: the derivative of the bracket (or call) over
    the differential of a vector's entry or a parameter of the model."""
    out, last = [], 0
    for m in _LEIBNIZ.finditer(text):
        if m.start() < last:
            continue
        open_at = text.index("(", m.end())
        close = _matching(text, open_at)
        if close is None:
            continue
        by = _BY.match(text, close + 1)
        if by is None or by.group("base") not in differentiable(model):
            continue
        inner = text[m.end():close + 1]
        out.append(text[last:m.start()] + f"(d/d{by.group('var')} ({inner}))")
        last = by.end()
    return "".join(out) + text[last:]


#: A Leibniz operator ``d/dx_j``, ``d/dt`` (``\\frac{d}{dt}``, ``∂/∂x`` once translated), and the space after it.
_OPERATOR = re.compile(r"(?<![A-Za-z0-9_])d\s*/\s*d\s*[A-Za-z]+(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9])|\[[A-Za-z0-9]\])?"
                       r"(?![A-Za-z0-9_])\s*")
#: A name right before a bracket: a call when the name is a function.
_CALLED = re.compile(r"(?P<f>[A-Za-z][A-Za-z0-9]*)\s*[(\[]")


def _is_function(model: Model, name: str) -> bool:
    """Whether ``name`` before a bracket calls a function (of the vocabulary, the sheet, a Greek
    letter as a sheet names its functions, or an operator E, Var, P), rather than multiplies."""
    return name in FUNCTION or name in LETTERS.values() or name in OPERATORS or name in model.functions


def derivative_reach(model: Model, text: str) -> str:
    """What a Leibniz operator applies to: ``d/dx`` before a bracket or a function's call applies
    to that bracket or call (with its power: ``d/du (1/u) * du/dt`` is the chain rule,
    ``d/dt (1 + e^{-t})^{-1}``); before anything else it applies to the whole multiplicative term
    after it, up to the next top-level ``+`` or ``-`` (``d/dt 1/(1 + e^{-t})`` is the derivative of
    the quotient, ``d/dt 2 t^2`` of 2t^2), a relation, a comma, a closing bracket or the next
    operator. That term is bracketed here, so the grammar's operator takes it whole."""
    out, last = [], 0
    for m in _OPERATOR.finditer(text):
        if m.start() < last:
            continue
        start = m.end()
        called = _CALLED.match(text, start)
        if start >= len(text) or text[start] in "([" or (called is not None and _is_function(model, called.group("f"))):
            continue
        depth, pos = 0, start
        while pos < len(text):
            ch = text[pos]
            before = text[start:pos].rstrip()[-1:]
            if depth == 0 and (ch in "=,|<>;" or (ch in "+-" and before not in ("", "^", "_", "*", "/"))
                               or (pos > start and _OPERATOR.match(text, pos))):
                break
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth < 0:
                break
            pos += 1
        term = text[start:pos].rstrip()
        if not term:
            continue
        out.append(text[last:start] + "(" + term + ")")
        last = start + len(term)
    return "".join(out) + text[last:]


#: A Leibniz quotient whose numerator is a function typed against the d, ``∂log z_i/∂x_j`` (read
#: ``dlog z_i/dx_j``): the function's operand a name with its subscript or a bracket without brackets inside.
_GLUED = re.compile(r"(?<![A-Za-z0-9_])d\s*(?P<f>[A-Za-z]+)\s*(?P<arg>\([^()]*\)|[A-Za-z][A-Za-z0-9]*"
                    r"(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?)\s*/\s*d\s*(?P<var>(?P<base>[A-Za-z]+)"
                    r"(?:_(?:\{[A-Za-z0-9]\}|[A-Za-z0-9])|\[[A-Za-z0-9]\])?)(?![A-Za-z0-9_(\[])")


def glued_numerators(model: Model, text: str) -> str:
    """``dlog z_i/dx_j`` and ``d log s/dt`` -> ``(d/dx_j (log(z_i)))``: a Leibniz numerator that is a
    function of one name (or one bracket), the function's name typed against the d or apart,
    over the differential of a vector's entry, a parameter or a defined name of the model. A glued
    ``dlog`` is read so only as a whole quotient; anywhere else it stays one unknown name."""
    def quotient(m: re.Match) -> str:
        f, arg = m.group("f"), m.group("arg")
        if f not in FUNCTION or FUNCTION[f].arity[0] != 1 or m.group("base") not in differentiable(model):
            return m.group(0)
        inner = arg if arg.startswith("(") else f"({arg})"
        return f"(d/d{m.group('var')} ({f}{inner}))"

    return _GLUED.sub(quotient, text)


def differentiable(model: Model) -> set[str]:
    """The names a derivative may be taken with respect to: the vectors, the parameters and the
    defined scalars (``dL/ds``, :meth:`Reader.visit_Deriv`)."""
    return {*model.vectors, *model.parameters, *model.scalars}


def scalar_definitions(model: Model) -> dict[str, sp.Expr]:
    """The model's defined scalars as read (``s`` -> sigmoid(t)), read once per model. While they
    are being read the answer is empty, so a definition that itself needs them is read without."""
    known = model.__dict__.get("_scalar_definitions")
    if known is None:
        object.__setattr__(model, "_scalar_definitions", {})
        read = {}
        for d in model.definitions:
            if d.index is None:
                try:
                    read[d.name] = read_line(model, d.text).expr
                except (AnswerError, RecursionError):
                    continue
        object.__setattr__(model, "_scalar_definitions", read)
        known = read
    return known


def written_out(model: Model, expr: sp.Expr, keep: frozenset[str] = frozenset()) -> sp.Expr:
    """``expr`` with every defined scalar of the model but those in ``keep`` replaced by its
    definition, transitively (the model's definitions are acyclic: one round per definition at most)."""
    definitions = {sp.Symbol(n): e for n, e in scalar_definitions(model).items() if n not in keep}
    for _ in range(len(definitions) + 1):
        hit = {s: e for s, e in definitions.items() if s in expr.free_symbols}
        if not hit:
            break
        expr = expr.xreplace(hit)
    return expr


def sole_parameter(model: Model, name: str) -> str | None:
    """The one parameter a defined scalar depends on (``s = sigmoid(t)``: t), through the names its
    definition uses; None when it depends on several, on none, or on anything random or indexed."""
    if name not in scalar_definitions(model):
        return None
    expr = written_out(model, sp.Symbol(name))
    if expr.has(sp.Indexed, sp.Sum, sp.Derivative) or any(expr.has(op) for op in OPERATORS.values()):
        return None
    symbols = {str(x) for x in expr.free_symbols}
    used = symbols & set(model.parameters)
    return used.pop() if len(used) == 1 and symbols == {*used} else None


#: A name with one prime and no variable after it: ``s'``.
_BARE_PRIME = re.compile(r"(?<![A-Za-z0-9_'])(?P<n>[A-Za-z][A-Za-z0-9]*)\s*'(?!['(])")


def defined_primes(model: Model, text: str) -> str:
    """``s'`` -> ``(ds/dt)`` for a defined name of the model whose definition depends on one
    parameter only (s = sigmoid(t)): its derivative by that parameter; ``σ'`` -> ``(d/dt σ(t))`` for
    the sheet's function of one variable when that variable is a parameter of the model. A prime on a plain
    parameter or on a name of several parameters is left as typed (unreadable: which derivative
    is meant is not written)."""
    if "'" not in text:
        return text

    def derivative(m: re.Match) -> str:
        name = m.group("n")
        param = sole_parameter(model, name) if name in model.scalars else None
        if param is not None:
            return f"(d{name}/d{param})"
        own = model.functions.get(name)  # σ' of the sheet's function σ of one variable, a parameter: σ'(t)
        if own is not None and len(own.params) == 1 and own.params[0] in model.parameters:
            return f"(d/d{own.params[0]} {name}({own.params[0]}))"
        return m.group(0)

    return _BARE_PRIME.sub(derivative, text)


_INTEGRAL = re.compile(r"(?<![A-Za-z0-9_])int\s*(?:_\s*(?P<lo>\{[^{}]*\}|\([^()]*\)|-?[A-Za-z0-9.]+))?"
                       r"\s*(?:\^\s*(?P<hi>\{[^{}]*\}|\([^()]*\)|-?[A-Za-z0-9.]+))?")
#: The differential that closes an integrand: ``dz`` before the end, a closing bracket, a sum's or a
#: relation's sign, or a product or quotient with what follows (``int_{-a}^{a} w^2 dw * 1/(2a)``).
_DIFFERENTIAL = re.compile(r"(?<![A-Za-z0-9_])d\s*(?P<v>[A-Za-z][A-Za-z0-9]*)(?![A-Za-z0-9_(\[])"
                           r"\s*(?=$|[)\]}+\-=,|*/])")


def standard_normal(model: Model) -> str | None:
    """The model's random family with law N(0, 1), if it has exactly one."""
    found = [n for n, law in model.random.items()
             if re.sub(r"\s+", "", law).lower() in ("normal(0,1)", "n(0,1)")]
    return found[0] if len(found) == 1 else None


#: An integral in words, its bounds first: ``integral from -a to a of ...`` (``int``, ``∫``). A word before a
#: bracket has been given a ``*`` by :func:`.normalize.spaced_products` (``of *(w^2 + 1) dw``): it is no product.
_AFTER_WORD = r"\s+(?:\*\s*)?"
_WORDS_FROM = re.compile(r"(?<![A-Za-z0-9_])(?:integral|int)\s+from" + _AFTER_WORD + r"(?P<lo>\S.*?)\s+to"
                         + _AFTER_WORD + r"(?P<hi>\S.*?)\s+of" + _AFTER_WORD)
#: An integral in words, its bounds last: ``integral of w^2/(2a) dw from -a to a``; a bound written this
#: way is one signed name, number or bracket.
_BOUND_WORD = r"[-+]?\s*(?:\([^()]*\)|\{[^{}]*\}|[A-Za-z0-9.]+(?:_(?:\{[A-Za-z0-9]+\}|[A-Za-z0-9]))?)"
_WORDS_OF = re.compile(r"(?<![A-Za-z0-9_])(?:integral|int)\s+of" + _AFTER_WORD + r"(?P<body>\S.*?)\s+from"
                       + _AFTER_WORD + r"(?P<lo>" + _BOUND_WORD + r")\s+to" + _AFTER_WORD + r"(?P<hi>" + _BOUND_WORD
                       + r")(?![A-Za-z0-9_({\[])")


def _bound_group(text: str) -> str | None:
    """A bound in the brackets the integral's notation reads whole: braces, or round brackets when it
    holds braces; None when it holds both."""
    text = text.strip()
    if not re.search(r"[{}]", text):
        return "{" + text + "}"
    return "(" + text + ")" if not re.search(r"[()]", text) else None


def integral_words(text: str) -> str:
    """``integral from -a to a of w^2/(2a) dw`` and ``integral of w^2/(2a) dw from -a to a`` ->
    ``int_{-a}^{a} w^2/(2a) dw``: an integral said in words is the symbolic one, read by the same
    rule (:func:`integrals`); its integrand still needs its differential."""
    def from_first(m: re.Match) -> str:
        lo, hi = _bound_group(m.group("lo")), _bound_group(m.group("hi"))
        return m.group(0) if lo is None or hi is None else f"int_{lo}^{hi} "

    def from_last(m: re.Match) -> str:
        lo, hi = _bound_group(m.group("lo")), _bound_group(m.group("hi"))
        return m.group(0) if lo is None or hi is None else f"int_{lo}^{hi} {m.group('body')}"

    return _WORDS_OF.sub(from_last, _WORDS_FROM.sub(from_first, text))


def integrals(model: Model, text: str) -> str:
    """``int_a^b f(t) phi(t) dt`` -> ``integral((f(t) phi(t)), z, a, b)``, read by :class:`Reader`
    as an expectation of the model's N(0, 1) family z: the integrand runs to its differential ``dt``
    at the same bracket depth; a dummy variable other than z is renamed z (where z is not written).
    An integral in words is read as this one (:func:`integral_words`)."""
    text = integral_words(text)
    out, last = [], 0
    for m in _INTEGRAL.finditer(text):
        if m.start() < last:
            continue
        depth, end = 0, None
        for pos in range(m.end(), len(text)):
            if depth == 0:
                diff = _DIFFERENTIAL.match(text, pos)
                if diff is not None and pos > m.end():
                    end = diff
                    break
            depth += text[pos] in "([{"
            depth -= text[pos] in ")]}"
            if depth < 0:
                break
        if end is None or m.group("lo") is None or m.group("hi") is None:
            raise AnswerError("an integral needs its bounds and its differential, as in int_0^oo z^2 phi(z) dz")
        body, var, std = text[m.end():end.start()], end.group("v"), standard_normal(model)
        if std is not None and var != std and not re.search(rf"(?<![A-Za-z0-9]){std}(?![A-Za-z0-9])", body):
            body, var = re.sub(rf"(?<![A-Za-z0-9_]){var}(?![A-Za-z0-9_])", std, body), std
        bounds = [g.strip()[1:-1] if g.strip()[:1] in "{(" else g for g in (m.group("lo"), m.group("hi"))]
        out.append(text[last:m.start()] + f"integral(({body}), {var}, {bounds[0]}, {bounds[1]})")
        last = end.end()
    return "".join(out) + text[last:]


#: ``E`` or ``Var`` applied to a law written by its name: ``Var(U(-a, a))``, ``E[Bernoulli(p)]``.
_LAW_MOMENT = re.compile(r"(?<![A-Za-z0-9_])(?P<op>E|Var)\s*(?P<open>[(\[])\s*(?P<law>[A-Za-z]+)\s*(?P<args>[(\[])")
#: The mean and the variance of the laws whose parameters every text writes alike: U(a, b) by its
#: ends, Bernoulli(p) by its probability of 1 (a normal law is left out: N(0, s) may name s the
#: variance or the standard deviation).
_MOMENTS: dict[type[Law], tuple[int, str, str]] = {
    Uniform: (2, "(({0}) + ({1}))/2", "(({1}) - ({0}))^2/12"),
    Bernoulli: (1, "({0})", "({0}) (1 - ({0}))"),
}


def law_moments(text: str) -> str:
    """``Var(U(-a, a))`` -> ``((a) - (-a))^2/12``, ``E[Bernoulli(p)]`` -> ``(p)``: the mean or the
    variance of a law written by its name and parameters (:data:`_MOMENTS`), the operator's
    bracket holding the law alone; anything else is left as written."""
    out, last = [], 0
    for m in _LAW_MOMENT.finditer(text):
        law = LAWS.get(m.group("law"))
        if m.start() < last or law not in _MOMENTS:
            continue
        close, inner = _matching(text, m.start("open")), _matching(text, m.start("args"))
        if close is None or inner is None or text[inner + 1:close].strip():
            continue
        count, mean, variance = _MOMENTS[law]
        args = split_args(text[m.end("args"):inner])
        if len(args) != count or not all(args):
            continue
        out.append(text[last:m.start()] + "(" + (mean if m.group("op") == "E" else variance).format(*args) + ")")
        last = close + 1
    return "".join(out) + text[last:]


def labelled_parameters(model: Model, text: str) -> str:
    """``sigma_w`` -> ``sigma`` for a parameter of the model: a subscript of letters that is no index
    of the model labels the parameter (the sigma of w); the parameter has no entries."""
    if not model.parameters:
        return text
    names = "|".join(sorted(model.parameters, key=len, reverse=True))
    pattern = re.compile(rf"(?<![A-Za-z0-9_])(?P<p>{names})\s*_\s*(?:\{{(?P<a>[A-Za-z]+)\}}|(?P<b>[A-Za-z]+))"
                         r"(?![A-Za-z0-9_])")
    indices = {*model.letters, *model.free, *model.parameters, *model.scalars}

    def drop(m: re.Match) -> str:
        return m.group(0) if (m.group("a") or m.group("b")) in indices else m.group("p")

    return pattern.sub(drop, text)


_SUM_CALL = re.compile(r"(?<![A-Za-z0-9_])sum\s*\(")


def vector_sums(model: Model, text: str) -> str:
    """``sum(exp(x))`` -> ``(sum_{k} (exp(x_k)))``: the sum over the entries of the families named
    bare inside it (k an index letter the line does not use)."""
    out, last = [], 0
    for m in _SUM_CALL.finditer(text):
        if m.start() < last:
            continue
        close = _matching(text, m.end() - 1)
        if close is None:
            continue
        inner = text[m.end():close]
        bare = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(model.families, key=len, reverse=True) or ["(?!)"])
                          + r")(?![A-Za-z0-9_\[(])")
        if not bare.search(inner):
            continue
        letter = next((c for c in (*model.indices, *"kmpqrstuv")
                       if not re.search(rf"(?<![A-Za-z]){c}(?![A-Za-z])", text)), "k")
        entries = bare.sub(rf"\1_{letter}", inner)
        out.append(text[last:m.start()] + f"(sum_{{{letter}}} ({entries}))")
        last = close + 1
    return "".join(out) + text[last:]


_INNER = re.compile(r"\b(?P<a>[A-Za-z]+)\s*\^\s*\(?\s*(?:T|top)\s*\)?\s*\*?\s*(?P<b>[A-Za-z]+)\b")
_OVER_NAME = r"[A-Za-z]+(?:_\{?[A-Za-z0-9]\}?)?"
_OVER = re.compile(r"\b(?P<op>E|Var)\s*_\s*(?:\{\s*(?P<list>" + _OVER_NAME + r"(?:\s*,\s*" + _OVER_NAME
                   + r")*)\s*\}|(?P<family>[A-Za-z]+))\s*(?P<open>[\[(])")


def inner_products(model: Model, text: str) -> str:
    """``w^T x`` (``w^\\top x``) of two families -> ``(sum_{k} w_k x_k)``, and ``‖w‖`` -> its norm
    (:func:`norm`); k a letter the line does not use."""
    def product(m: re.Match) -> str:
        a, b = m.group("a"), m.group("b")
        if a not in model.families or b not in model.families:
            return m.group(0)
        letter = next((c for c in "kmpqrstuv" if not re.search(rf"(?<![A-Za-z]){c}(?![A-Za-z])", text)), "k")
        return f"(sum_{{{letter}}} {a}_{letter} {b}_{letter})"

    text = _INNER.sub(product, text)
    return _NORM.sub(lambda m: norm(model, text, m), text)


#: ``‖w‖`` (``\|w\|``, ``\lVert w \rVert``): the Euclidean norm of a family.
_NORM = re.compile(r"‖\s*(?P<a>[A-Za-z]+)\s*‖")


def norm(model: Model, text: str, m: re.Match) -> str:
    """``‖w‖`` of a family -> ``sqrt(sum_{k} w_k^2)``, k a letter the line does not use."""
    a = m.group("a")
    if a not in model.families:
        return m.group(0)
    letter = next((c for c in "kmpqrstuv" if not re.search(rf"(?<![A-Za-z]){c}(?![A-Za-z])", text)), "k")
    return f"sqrt(sum_{{{letter}}} {a}_{letter}^2)"


def over_family(model: Model, text: str) -> str:
    """``E_w[X]`` (the expectation over w alone; ``E_{w_i}[X]`` names the family by an entry) ->
    ``E[X | z]``: conditioned on the model's other random family (a model with two random
    families). ``E_{w,z}[X]``, over every random family of the model, is ``E[X]``. Otherwise the
    text is left as it is."""
    out, pos = [], 0
    for m in _OVER.finditer(text):
        written = m.group("family") or m.group("list")
        over = {re.sub(r"[{}\s]", "", name).split("_")[0] for name in written.split(",")}
        others = [f for f in model.random if f not in over]
        if m.start() < pos or not over <= set(model.random) or len(others) > 1 or (others and len(over) > 1):
            continue
        close = _matching(text, m.end() - 1)
        if close is None:
            continue
        inner = over_family(model, text[m.end():close])
        given = f" | {others[0]}" if others else ""
        out.append(text[pos:m.start()] + f"{m.group('op')}{m.group('open')}{inner}{given}")
        pos = close
    out.append(text[pos:])
    return "".join(out)


def _matching(text: str, start: int) -> int | None:
    depth = 0
    for pos in range(start, len(text)):
        depth += text[pos] in "([{"
        depth -= text[pos] in ")]}"
        if depth == 0:
            return pos
    return None


def _balanced(text: str) -> None:
    """An unmatched bracket is named where it stands (not at the end of the line)."""
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for pos, ch in enumerate(text):
        if ch in "([{":
            stack.append((ch, pos))
        elif ch in pairs:
            if not stack or stack[-1][0] != pairs[ch]:
                raise AnswerError(f"unexpected {ch!r}: no bracket to close", pos)
            stack.pop()
    if stack:
        ch, pos = stack[-1]
        raise AnswerError(f"the bracket {ch!r} is never closed", pos)


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for pos, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == sep and depth == 0 and text[pos - 1:pos] not in ("<", ">", "!") and text[pos + 1:pos + 2] != "=":
            parts.append(text[start:pos])
            start = pos + 1
    parts.append(text[start:])
    return parts


#: The largest degree of a polynomial integrand integrated exactly (``int_{-a}^{a} w^2 dw``).
MAX_DEGREE = 24


def polynomial_degree(e: sp.Expr, v: sp.Symbol) -> int | None:
    """The degree of ``e`` as a polynomial in ``v`` (0 for an expression free of v), found
    without expanding: a sum takes its largest term's, a product adds its factors', a power with
    a nonnegative integer exponent multiplies; None when ``e`` is no polynomial in v (``1/v``,
    ``exp(v)``, ``sqrt(v)``, v inside a function or an operator) or its degree passes
    :data:`MAX_DEGREE` on the way (so nothing large is ever built)."""
    if v not in e.free_symbols:
        return 0
    if e == v:
        return 1
    if isinstance(e, sp.Add | sp.Mul):
        parts = [polynomial_degree(a, v) for a in e.args]
        if any(p is None for p in parts):
            return None
        total = max(parts) if isinstance(e, sp.Add) else sum(parts)  # type: ignore[type-var, arg-type]
        return total if total <= MAX_DEGREE else None  # type: ignore[operator]
    if isinstance(e, sp.Pow) and e.exp.is_Integer and 0 <= int(e.exp) <= MAX_DEGREE:
        base = polynomial_degree(e.base, v)
        return base * int(e.exp) if base is not None and base * int(e.exp) <= MAX_DEGREE else None
    return None


def own_index_sum(summand: sp.Expr, k: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """A sum with explicit limits over an index letter of its own (no index of the model):
    sum_{b=1}^{n} f = n f for a summand free of b; a polynomial summand in b (degree at most
    :data:`MAX_DEGREE`, b in no entry) in closed form (Faulhaber's sums, SymPy); None otherwise (the
    sum is then kept and unrolled at the model's points, as any sum)."""
    if k in lo.free_symbols | hi.free_symbols:
        return None
    degree = polynomial_degree(summand, k)
    if degree is None:  # an entry at k (w_k) or a function of k: no polynomial
        return None
    if degree == 0:
        return sp.expand(summand * (hi - lo + 1))
    return sp.expand(sp.summation(sp.expand(summand), (k, lo, hi)))


class Reader(Builder):
    """The parse tree of a line -> SymPy under a model (the final-answer :class:`Builder`, with
    the model's families, indices, operators and derivatives)."""

    def __init__(self, model: Model, text: str, limits: Limits = DEFAULT):
        names = {**model.parameters, **{n: sp.Symbol(n) for n in (*model.families, *model.scalars)}}
        super().__init__(Vocabulary(symbols=names, functions=model.functions), text, limits)
        self.model = model
        self.bound: list[str] = []   # the letters the enclosing sums run over
        self.dummies: list[tuple[str, sp.Symbol]] = []  # the enclosing integrals' variables

    def build(self, node: Node) -> sp.Expr:
        try:
            return self.visit(node)
        except AnswerError:
            raise
        except (ValueError, TypeError, ArithmeticError, RecursionError, NotImplementedError,
                AttributeError, IndexError, KeyError) as err:
            raise self.error(f"cannot read this line ({type(err).__name__}: {str(err)[:160]})", None) from None

    # entries and indices --------------------------------------------------------------------
    def index(self, label: str, pos: int) -> sp.Expr:
        if label.isdigit():
            return sp.Integer(int(label))
        if label in self.model.letters or label in self.bound:
            return index_symbol(label)
        label_index = self.model.label_of(label)
        if label_index is not None:  # x_y: the entry at the label, y_i = delta(i, c) being one-hot at c
            return index_symbol(label_index)
        raise self.error(f"unknown index {label!r} (this question's indices: "
                         f"{', '.join(sorted(self.model.letters))})", pos)

    def element(self, name: str, index: str, pos: int) -> sp.Expr:
        declared = self.vocab.symbols.get(f"{name}_{index}")
        if declared is not None:  # a declared name spelled with its subscript: n_in, x_i
            return declared
        if name in self.model.families:
            return family(name)[self.index(index, pos)]
        if name in self.model.parameters or name in self.model.scalars:
            raise self.error(f"{name!r} has no entries to subscript", pos)
        factors = self.split_entry(name, index, pos)
        if factors is not None:
            return sp.Mul(*factors)
        known = ", ".join(sorted(self.model.families)) or "none"
        raise self.error(f"unknown name {name!r} (entries can be taken of: {known})", pos)

    def has_entry(self, name: str, index: str) -> bool:
        """Whether ``name_index`` is a declared name (``C_in``) or an entry of a family (``w_i``)."""
        return f"{name}_{index}" in self.vocab.symbols or name in self.model.families

    def visit_Index(self, node: Index) -> sp.Expr:
        if node.name in OPERATORS and self.model.random:
            return self._apply(node.name, [self.visit(node.index)], node.pos)
        if isinstance(node.index, (Name, Num)):
            label = node.index.name if isinstance(node.index, Name) else str(node.index.value)
            return self.element(node.name, label, node.pos)
        raise self.error(f"{node.name}[...] is not an expectation or an entry here", node.pos)

    def visit_Name(self, node: Name) -> sp.Expr:
        dummy = next((d for n, d in reversed(self.dummies) if n == node.name), None)
        if dummy is not None:
            return dummy
        if (node.name in self.model.letters or node.name in self.bound) and node.name not in self.model.parameters:
            return index_symbol(node.name)
        return super().visit_Name(node)

    # sums -----------------------------------------------------------------------------------
    def visit_Big(self, node: Big) -> sp.Expr:
        if node.values:
            return self.finite_sum(node)
        if node.op != "sum":
            raise self.error(f"{node.op} over an index is not read in a derivation; write the value", node.pos)
        letter = node.var
        if not letter:
            raise self.error("a sum needs its index (sum_i or sum_{i=1}^{d})", node.pos)
        ranges = set(self.model.indices.values()) | set(self.model.free.values())
        upper = self.model.range_of(letter) or (ranges.pop() if len(ranges) == 1 else None)
        if node.hi is None and upper is None:
            raise self.error(f"give the range of the sum over {letter} (sum_{{{letter}=1}}^{{d}})", node.pos)
        self.bound.append(letter)
        try:
            lo = self.visit(node.lo) if node.lo is not None else sp.Integer(1)
            hi = self.visit(node.hi) if node.hi is not None else self._bound_of(upper or "")
            summand, k = self.visit(node.arg), index_symbol(letter)
        finally:
            self.bound.pop()
        if letter not in self.model.letters and node.hi is not None:
            closed = own_index_sum(summand, k, lo, hi)
            if closed is not None:
                return closed
        return sp.Sum(summand, (k, lo, hi))

    def fixed_names(self) -> set[str]:
        """The names a binding notation never binds in a line: the model's parameters, its index
        letters and the letters of the enclosing sums (a family's letter may be bound: ``[w^3/3]``)."""
        return {*self.model.parameters, *self.model.letters, *self.bound}

    def is_index(self, name: str) -> bool:
        return name in self.model.letters or name in self.bound

    def _bound_of(self, text: str) -> sp.Expr:
        return sp.Integer(int(text)) if text.isdigit() else self.model.parameters[text]

    # operators ------------------------------------------------------------------------------
    def is_product(self, name: str, args: tuple[Node, ...]) -> bool:
        """``E(X)^2`` squares the expectation: an operator of a model with random variables is
        never a name times a bracket."""
        if name in OPERATORS and self.model.random:
            return False
        return super().is_product(name, args)

    def visit_Call(self, node: Call) -> sp.Expr:
        if node.name in OPERATORS and self.model.random:
            head = OPERATORS[node.name]
            if len(node.args) != head._arity():
                raise self.error(f"{node.name} takes {head._arity()} argument(s)", node.pos)
            return self._apply(node.name, [self.visit(a) for a in node.args], node.pos)
        if node.name == "indicator" and len(node.args) == 1 and isinstance(node.args[0], Compare):
            event = self.visit(node.args[0])  # 1{u > 0} is Heaviside(u): a factor, as in E[z^2 1{z > 0}]
            if not isinstance(event, sp.core.relational.Relational) or event.rel_op in ("==", "!="):
                raise self.error("an indicator needs an event such as z > 0", node.pos)
            u = event.lhs - event.rhs if event.rel_op in (">", ">=") else event.rhs - event.lhs
            return sp.Heaviside(u, 0 if event.rel_op in (">", "<") else 1)  # its value at 0: 1{u >= 0} holds there
        if node.name == "integral" and len(node.args) == 4:
            return self._integral(node)
        if node.name == "phi" and len(node.args) == 1 and "phi" not in self.model.kinds \
                and "phi" not in self.model.families:  # the standard normal density
            u = self.visit(node.args[0])
            return sp.exp(-u ** 2 / 2) / sp.sqrt(2 * sp.pi)
        if node.name == "delta" and len(node.args) == 2:
            return sp.KroneckerDelta(*(self._delta_index(a) for a in node.args))
        return super().visit_Call(node)

    def _integral(self, node: Call) -> sp.Expr:
        """A definite integral ``int_a^b f(u) du``. Its dummy u is bound (it may reuse any name,
        a family's letter included). A polynomial integrand in u (coefficients in the model's names,
        degree at most :data:`MAX_DEGREE`) with finite bounds free of u is integrated exactly:
        F(b) - F(a), F the antiderivative of the polynomial (``d/(2a) int_{-a}^{a} w^2 dw`` =
        d a^2/3). Otherwise int_a^b g(z) phi(z) dz = E[g(z) 1{a < z < b}] for the model's N(0, 1)
        family z: the integrand must be a function times the standard normal density of the
        variable. Any other integral is refused."""
        exact = self._polynomial_integral(node)
        if exact is not None:
            return exact
        body_node, var_node, lo_node, hi_node = node.args
        if not isinstance(var_node, Name) or var_node.name != standard_normal(self.model):
            raise self.error("an integral is read when its integrand is a polynomial in its variable between "
                             "finite bounds, or over a N(0, 1) variable of the question against its density "
                             "phi(z) = exp(-z^2/2)/sqrt(2 pi)", node.pos)
        var = self.visit(var_node)
        lo, hi = self.visit(lo_node), self.visit(hi_node)
        if var in lo.free_symbols | hi.free_symbols:
            raise self.error("an integral's bounds may not use its variable", node.pos)
        weight = sp.powsimp(sp.expand(self.visit(body_node) * sp.sqrt(2 * sp.pi) * sp.exp(var ** 2 / 2)),
                            combine="exp")
        if any(var in e.free_symbols for e in weight.atoms(sp.exp)) or any(
                isinstance(p, sp.Pow) and var in p.base.free_symbols and p.exp.has(var) for p in weight.atoms(sp.Pow)):
            raise self.error("an integral is read when its integrand is a polynomial in its variable between "
                             "finite bounds, or against the standard normal density: write "
                             "int_a^b g(z) phi(z) dz, phi(z) = exp(-z^2/2)/sqrt(2 pi)", node.pos)
        window = sp.Integer(1)
        if lo != -sp.oo:
            window *= sp.Heaviside(var - lo)
        if hi != sp.oo:
            window *= sp.Heaviside(hi - var)
        return OPERATORS["E"](weight * window)

    def _polynomial_integral(self, node: Call) -> sp.Expr | None:
        """``int_a^b p(u) du`` for a polynomial p in the bound dummy u and finite bounds free of u,
        exactly; None when the integral is not of that kind (the caller then reads it otherwise)."""
        body_node, var_node, lo_node, hi_node = node.args
        if not isinstance(var_node, Name):
            return None
        lo, hi = self.visit(lo_node), self.visit(hi_node)
        if any(b.has(sp.oo, -sp.oo, sp.zoo, sp.nan) for b in (lo, hi)):
            return None
        dummy = sp.Dummy(var_node.name, real=True)
        self.dummies.append((var_node.name, dummy))
        try:
            body = self.visit(body_node)
        except AnswerError:
            return None
        finally:
            self.dummies.pop()
        if dummy in lo.free_symbols | hi.free_symbols:
            raise self.error("an integral's bounds may not use its variable", node.pos)
        degree = polynomial_degree(body, dummy)
        if degree is None or degree > MAX_DEGREE:
            return None
        poly = sp.Poly(body, dummy)
        antiderivative = poly.integrate().as_expr()
        return sp.expand(antiderivative.subs(dummy, hi) - antiderivative.subs(dummy, lo))

    def _delta_index(self, node: Node) -> sp.Expr:
        if isinstance(node, Name):
            return self.index(node.name, node.pos)
        if isinstance(node, Num):
            return sp.Integer(int(node.value))
        raise self.error("delta takes two indices, as in delta_ij", None)

    def visit_Given(self, node: Given) -> sp.Expr:
        if node.op not in OPERATORS or not self.model.random:
            raise self.error(f"{node.op}[... | ...] is only for expectations of random variables", node.pos)
        head = OPERATORS[node.op]
        if len(node.args) != head._arity():
            raise self.error(f"{node.op} takes {head._arity()} argument(s) before the condition", node.pos)
        conds = [self.visit(c) for c in node.conds]
        args = [self.visit(a) for a in node.args]
        self._apply(node.op, args, node.pos)  # the arguments' check
        return head(*args, conds[0] if len(conds) == 1 else sp.Tuple(*conds))

    def _apply(self, op: str, args: list[sp.Expr], pos: int) -> sp.Expr:
        """``E[X]``, ``Var(X)``, ``Cov(A, B)`` of quantities, ``P(event)``: an expectation, variance or
        covariance of an event (``E(m_i = 1)``) is refused (its probability is written P(m_i = 1))."""
        head = OPERATORS[op]
        if head is not OPERATORS["P"] and any(isinstance(a, sp.core.relational.Relational) for a in args):
            raise self.error(f"{op} takes a quantity, not an event: the probability of an event is P(...)", pos)
        return head(*args)

    def visit_Compare(self, node: Compare) -> sp.Expr:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op == "=":
            return sp.Eq(left, right, evaluate=False)
        return _RELATIONS[node.op](left, right, evaluate=False)

    def visit_Deriv(self, node: Deriv) -> sp.Expr:
        if isinstance(node.wrt, Name) and node.wrt.name in self.model.scalars \
                and node.wrt.name not in self.model.parameters:
            return self._by_defined(node)
        wrt = self.visit(node.wrt)
        if isinstance(wrt, sp.Symbol) and wrt.name in self.model.vectors and self.model.entry:
            wrt = family(wrt.name)[index_symbol(self.model.entry)]  # dL/dx: the gradient's entry at the free index
        scalar = isinstance(wrt, sp.Symbol) and wrt.name in self.model.parameters  # dL/dt, t a parameter
        if not scalar and (not isinstance(wrt, sp.Indexed) or str(wrt.base) not in self.model.vectors):
            names = sorted({*self.model.vectors, *self.model.parameters})
            raise self.error("a derivative is taken with respect to a parameter or an entry of a vector of the "
                             f"question ({', '.join(names) or 'none here'})", node.pos)
        return sp.Derivative(self.visit(node.arg), wrt, evaluate=False)

    def _by_defined(self, node: Deriv) -> sp.Expr:
        """``dL/ds``, ``d/du (1/u)`` for a defined scalar s (or u): the derivative with s as the
        variable, every other defined name written out by its definition and s kept (L = -y log s
        - ... gives -y/s + ...); what follows values s by its definition. Taken here, exactly, as
        the model's points would write s out first; refused when it cannot be taken (an
        expectation, a sum or an entry), and when the expression, written out, still holds a
        parameter s depends on (``ds/du`` with s = sigmoid(t), u = 1 + e^{-t}: s is not written as
        a function of u, so which function of u is meant is not either)."""
        name = node.wrt.name  # type: ignore[attr-defined]
        wrt = sp.Symbol(name)
        arg = written_out(self.model, self.visit(node.arg), keep=frozenset({name}))
        if arg.has(sp.Sum, sp.Derivative, sp.Indexed) or any(arg.has(op) for op in OPERATORS.values()):
            raise self.error(f"a derivative with respect to the defined name {name} is taken only of an "
                             "expression without sums, entries, expectations or derivatives", node.pos)
        depends = {str(x) for x in written_out(self.model, wrt).free_symbols} & set(self.model.parameters)
        through = sorted(depends & {str(x) for x in arg.free_symbols})
        if through:  # ds/du with s = sigmoid(t), u = 1 + e^{-t}: s as a function of u is not written
            raise self.error(f"d/d{name} of an expression that holds {', '.join(through)}, which {name} depends "
                             f"on: write it in {name} first", node.pos)
        return sp.diff(arg, wrt)

    def visit_Sub(self, node: Sub) -> sp.Expr:
        return self.element(node.name, node.index, node.pos)

    def visit_Num(self, node: Num) -> sp.Expr:
        return super().visit_Num(node)
