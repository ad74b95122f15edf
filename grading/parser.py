"""Parse the plain syntax with Lark into a small, inert tree of tuples, and bound its size.

Node kinds: ("num", Fraction), ("name", str, pos), ("call", str, [args], pos),
("index", str, node, pos), ("sub", str, str, pos), ("entry", node, str, pos), ("big", op, node, pos), ("add"|"mul", [nodes]),
("neg", node), ("div", a, b), ("pow", a, b), ("fact", a). Nothing here evaluates anything.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from .errors import AnswerError, TooLarge
from .limits import DEFAULT, Limits


@lru_cache(maxsize=1)
def parser() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=False, propagate_positions=False)


def _number(token: Token, limits: Limits) -> Fraction:
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


@v_args(inline=True)
class _ToTuples(Transformer):
    def __init__(self, limits: Limits):
        super().__init__()
        self.limits = limits

    def number(self, tok):
        return ("num", _number(tok, self.limits))

    def name(self, tok):
        return ("name", str(tok), tok.start_pos)

    def call(self, tok, *args):
        return ("call", str(tok), list(args), tok.start_pos)

    def index(self, tok, arg):
        return ("index", str(tok), arg, tok.start_pos)

    def subscript(self, base, sub):
        index = str(sub).strip("{}")
        if base[0] == "name":  # x_i: an entry of a named vector
            return ("sub", base[1], index, base[2])
        return ("entry", base, index, sub.start_pos)  # softmax(x)_i: an entry of a vector expression

    def bigop(self, tok, arg):
        op, _, var = str(tok).partition("_")
        return ("big", op, arg, tok.start_pos)

    def add(self, a, b):
        return ("add", [a, b])

    def sub(self, a, b):
        return ("add", [a, ("neg", b)])

    def mul(self, a, b):
        return ("mul", [a, b])

    imul = mul

    def div(self, a, b):
        return ("div", a, b)

    def neg(self, a):
        return ("neg", a)

    def pos(self, a):
        return a

    def pow(self, a, b):
        return ("pow", a, b)

    def factorial(self, a):
        return ("fact", a)


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


def parse_plain(text: str, limits: Limits = DEFAULT) -> tuple:
    """The tuple tree of a plain-syntax expression; ``AnswerError`` with a position otherwise."""
    if not text.strip():
        raise AnswerError("the answer is empty")
    _bracket_depth(text, limits)
    try:
        tree = parser().parse(text)
    except UnexpectedCharacters as err:
        raise AnswerError(f"unexpected character {text[err.pos_in_stream]!r}", err.pos_in_stream) from None
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
        return _ToTuples(limits).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, AnswerError):
            raise err.orig_exc from None
        raise
