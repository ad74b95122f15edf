"""Parse the plain syntax (``grammar.lark``) with Lark into the inert nodes of :mod:`.tree`.

Before a node is built the text's bracket nesting and Lark's tree are bounded in depth and size
(``Limits.max_depth``, ``max_nodes``), iteratively, and every number literal in digits and
exponent (``max_digits``, ``max_log10``), so the recursive passes that follow only ever see
small trees. Numbers become exact fractions. Nothing here evaluates anything.
"""
from __future__ import annotations

import dataclasses
import re
from fractions import Fraction
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .bounds import exact_value
from .errors import AnswerError, TooLarge
from .limits import DEFAULT, Limits
from .tree import Add, Big, Call, Compare, Deriv, Div, Entry, Fact, Given, Index, Mul, Name, Neg, Node, Num, Pow, Sub

#: The most numbers a finite set a sum runs over may hold (``sum_{m in {0,1}}``).
MAX_ELEMENTS = 16


@lru_cache(maxsize=1)
def parser() -> Lark:
    """The LALR parser of ``grammar.lark`` (built once)."""
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=False, propagate_positions=False)


def _number_of(token: Token, limits: Limits) -> Fraction:
    """The exact value of a number literal, once its digits and decimal exponent are in bounds."""
    text = str(token)
    mantissa, _, exponent = text.lower().partition("e")
    digits = sum(ch.isdigit() for ch in mantissa)
    if digits > limits.max_digits:
        raise TooLarge(f"number with {digits} digits is too long (at most {limits.max_digits})",
                       token.start_pos)
    if exponent and abs(int(exponent)) > limits.max_log10:
        raise TooLarge(f"number {text} is too large", token.start_pos)
    value = Fraction(mantissa)  # exact: 0.1 is 1/10
    return value * Fraction(10) ** int(exponent) if exponent else value


_BIGOP = re.compile(r"(?P<op>sum|max|min)_\{?(?P<var>[A-Za-z])(?:=(?P<lo>(?:[^{}]|\{[^{}]*\})+)|"
                    r" in \{(?P<set>[^{}]*)\})?\}?"
                    r"(?:\^(?P<hi>\{(?:[^{}]|\{[^{}]*\})+\}|\([^()]+\)|[A-Za-z0-9]+))?")
_DIFFERENTIAL = re.compile(r"\s*d\s*(?P<name>[A-Za-z]+)"
                           r"(?:_\{?(?P<index>[A-Za-z0-9])\}?|\[(?P<bracket>[A-Za-z0-9])\])?\s*")


def _entry(text: str, pos: int) -> Node:
    """``dx_j`` -> the entry x_j, ``dL`` -> the name L (a differential's variable)."""
    m = _DIFFERENTIAL.fullmatch(text)
    if m is None:  # pragma: no cover - the grammar's tokens have this shape
        raise AnswerError(f"cannot read the differential {text!r}", pos)
    index = m.group("index") or m.group("bracket")
    return Sub(m.group("name"), index, pos) if index else Name(m.group("name"), pos)


def _at(token: Token) -> int:
    """Where a token starts (Lark's LALR parser always records it)."""
    return token.start_pos if token.start_pos is not None else 0


@v_args(inline=True)
class _ToNodes(Transformer):
    """Lark's tree -> :mod:`.tree` nodes, one method per rule alias of the grammar."""

    def __init__(self, limits: Limits):
        super().__init__()
        self.limits = limits

    def number(self, tok: Token) -> Num:
        return Num(_number_of(tok, self.limits))

    def name(self, tok: Token) -> Name:
        return Name(str(tok), _at(tok))

    def group(self, inner: Node) -> Node:
        """A bracketed expression is its content; a bracketed run of names stays one product."""
        return dataclasses.replace(inner, grouped=True) if isinstance(inner, Name) else inner

    def call(self, tok: Token, *args: Node) -> Call:
        return Call(str(tok), args, _at(tok))

    def event_call(self, tok: Token, left: Node, op: Token, right: Node) -> Call:
        """``P[m_i = 1]``: an event in square brackets is the call's argument, as in ``P(m_i = 1)``."""
        return Call(str(tok), (self.compare(left, op, right),), _at(tok))

    def index(self, tok: Token, arg: Node) -> Index:
        return Index(str(tok), arg, _at(tok))

    def subscript(self, base: Node, sub: Token) -> Sub | Entry:
        index = str(sub).strip("{}")
        if isinstance(base, Name):  # x_i: an entry of a named vector
            return Sub(base.name, index, base.pos)
        return Entry(base, index, _at(sub))  # softmax(x)_i: an entry of a vector expression

    def logbase(self, tok: Token, arg: Node) -> Call:
        base = str(tok).partition("_")[2].strip("{}")
        return Call("log", (arg, Num(_number_of(Token("NUMBER", base, start_pos=tok.start_pos), self.limits))),
                    _at(tok))

    def bigop(self, tok: Token, arg: Node) -> Big:
        m = _BIGOP.fullmatch(str(tok))
        if m is None:  # pragma: no cover - the grammar's token has this shape
            raise AnswerError(f"cannot read {str(tok)!r}", _at(tok))
        lo = self._bound(m.group("lo"), tok) if m.group("lo") else None
        hi = self._bound(m.group("hi"), tok) if m.group("hi") else None
        values = self._elements(m.group("set"), tok) if m.group("set") is not None else ()
        if values and hi is not None:
            raise AnswerError(f"a sum over a set has no upper limit: {str(tok)!r}", _at(tok))
        return Big(m.group("op"), arg, _at(tok), m.group("var"), lo, hi, values)

    def _elements(self, text: str, tok: Token) -> tuple[Node, ...]:
        """The numbers of a finite set a sum runs over (``{0,1}``, ``{-1, 1/2}``): each a constant
        of numbers, exactly; at most :data:`MAX_ELEMENTS`, each once."""
        items = text.split(",")
        if len(items) > MAX_ELEMENTS:
            raise AnswerError(f"a sum over a set of at most {MAX_ELEMENTS} numbers is read "
                              f"(this one has {len(items)})", _at(tok))
        values: list[Fraction] = []
        for item in items:
            value = exact_value(parse_plain(item, self.limits), self.limits) if item.strip() else None
            if value is None:
                raise AnswerError(f"a sum runs over a set of numbers; {item.strip()!r} is none", _at(tok))
            if value in values:
                raise AnswerError(f"{item.strip()!r} is twice in the set of the sum", _at(tok))
            values.append(value)
        return tuple(Num(v) for v in values)

    def _bound(self, text: str, tok: Token) -> Node:
        """A sum's bound (``1``, ``d``, ``d-1``), parsed as an expression of its own."""
        inner = text[1:-1] if text[:1] + text[-1:] in ("{}", "()") else text  # one outer pair only: {C_{out}}
        try:
            return parse_plain(inner, self.limits)
        except AnswerError as err:
            raise AnswerError(f"cannot read the bound {text!r} of the sum: {err.message}", _at(tok)) from None

    def args(self, *items: Node) -> tuple[Node, ...]:
        return items

    def given(self, tok: Token, args: tuple[Node, ...], conds: tuple[Node, ...]) -> Given:
        return Given(str(tok), args, conds, _at(tok))

    def compare(self, left: Node, op: Token, right: Node) -> Compare:
        return Compare(str(op), left, right)

    def deriv(self, tok: Token, arg: Node) -> Deriv:
        wrt = _entry(str(tok).partition("/")[2], _at(tok))
        return Deriv(arg, wrt, _at(tok))

    def dfrac(self, tok: Token) -> Deriv:
        top, _, bottom = str(tok).partition("/")
        return Deriv(_entry(top, _at(tok)), _entry(bottom, _at(tok)), _at(tok))

    def add(self, a: Node, b: Node) -> Add:
        return Add(a, b)

    def sub(self, a: Node, b: Node) -> Add:
        return Add(a, Neg(b))

    def mul(self, a: Node, b: Node) -> Mul:
        return Mul(a, b)

    imul = mul

    def div(self, a: Node, b: Node) -> Div:
        return Div(a, b)

    def neg(self, a: Node) -> Neg:
        return Neg(a)

    def pos(self, a: Node) -> Node:
        return a

    def pow(self, a: Node, b: Node) -> Pow:
        return Pow(a, b)

    def factorial(self, a: Node) -> Fact:
        return Fact(a)


def _measure(tree: Tree, limits: Limits) -> None:
    """Reject trees that are too deep or too large, iteratively (no recursion on hostile input)."""
    nodes, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > limits.max_depth:
            raise TooLarge(f"the answer is nested too deeply (more than {limits.max_depth} levels)")
        if nodes > limits.max_nodes:
            raise TooLarge(f"the answer is too long (more than {limits.max_nodes} symbols and operations)")
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)


def _bracket_depth(text: str, limits: Limits) -> None:
    depth = 0
    for pos, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > limits.max_depth:
            raise TooLarge(f"brackets nested more than {limits.max_depth} deep", pos)


def parse_plain(text: str, limits: Limits = DEFAULT) -> Node:
    """The parse tree of a plain-syntax expression; ``AnswerError`` with a position otherwise."""
    if not text.strip():
        raise AnswerError("the answer is empty")
    _bracket_depth(text, limits)
    try:
        tree = parser().parse(text)
    except UnexpectedCharacters as err:
        pos = err.pos_in_stream if err.pos_in_stream is not None else err.column - 1
        raise AnswerError(f"unexpected character {text[pos]!r}", pos) from None
    except UnexpectedEOF:
        raise AnswerError("the answer ends too early (an operator or bracket is missing its operand)",
                          len(text)) from None
    except UnexpectedToken as err:
        tok = err.token
        if tok.type == "$END":
            raise AnswerError("the answer ends too early (an operator or bracket is missing its operand)",
                              len(text)) from None
        raise AnswerError(f"unexpected {str(tok)!r}", tok.start_pos) from None
    except UnexpectedInput as err:  # pragma: no cover - other Lark errors
        raise AnswerError("cannot read the answer", getattr(err, "pos_in_stream", None)) from None
    _measure(tree, limits)
    try:
        return _ToNodes(limits).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, AnswerError):
            raise err.orig_exc from None
        raise
