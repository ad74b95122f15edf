"""How large can a constant in the answer be? Bounds in log space, before SymPy sees a number.

:func:`bound` walks the parse tree with an upper bound on log10|value| of every constant subtree
(sums: the largest term plus log10 of their count; products: the sum of the logs; powers: the
exponent times the base's log) and raises ``TooLarge`` as soon as one exceeds 10^max_log10, so
``9^9^9`` or ``factorial(10^7)`` never reach SymPy's exact arithmetic. :func:`small_value` is the
float value of a constant subtree already so bounded (used for exponents and factorials, where
the log alone is not enough). Neither evaluates anything but floats of the tree's own numbers.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .errors import TooLarge
from .limits import DEFAULT, Limits
from .tree import Add, Call, Div, Fact, Mul, Name, Neg, Node, Num, Pow, Visitor
from .vocabulary import CONSTANT, FUNCTION

#: log10 bound of every finite named constant (|pi|, |e|, |I| <= sqrt(10)).
CONSTANT_LOG10 = 0.5


def _log10_fraction(v: Fraction) -> float:
    if v == 0:
        return -math.inf
    return math.log10(abs(v.numerator)) - math.log10(v.denominator)


def _all_known(values: list[float | None]) -> list[float] | None:
    """The values when none is None (every part constant), else None."""
    known = [v for v in values if v is not None]
    return known if len(known) == len(values) else None


def bound(node: Node, limits: Limits = DEFAULT) -> float | None:
    """An upper bound on log10|value| of a constant subtree (None when it has variables).

    Raises ``TooLarge`` when a constant would exceed 10^max_log10, a factorial's argument
    max_factorial, or a power of a variable the degree max_exponent. Every subtree is checked,
    including the arguments of names' subscripts and of big operators.
    """
    return SizeBound(limits).visit(node)


def small_value(node: Node) -> float | None:
    """The float value of a constant subtree already bounded (so it cannot overflow badly), or
    None when it has variables, is not finite or is not real."""
    try:
        value = FloatValue().visit(node)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) else None


class SizeBound(Visitor["float | None"]):
    """The pass behind :func:`bound`. ``-inf`` is the bound of 0; a node with variables is None
    (its subtrees are still checked). Names, subscripts and big operators are never constant,
    except the named constants."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def visit(self, node: Node) -> float | None:
        result = super().visit(node)
        if result is not None and result > self.limits.max_log10:
            raise TooLarge(f"a number in the answer exceeds 10^{int(self.limits.max_log10)}")
        if result is not None and result != -math.inf and result < -self.limits.max_log10:
            raise TooLarge(f"a number in the answer is below 10^-{int(self.limits.max_log10)} (but not 0)")
        exact = exact_value(node, self.limits)
        if exact is not None and exact != 0 and abs(_log10_fraction(exact)) > self.limits.max_log10:
            raise TooLarge(f"a number in the answer is outside 10^-{int(self.limits.max_log10)} .. "
                           f"10^{int(self.limits.max_log10)}")
        return result

    def visit_Num(self, node: Num) -> float:
        return _log10_fraction(node.value)

    def visit_Name(self, node: Name) -> float | None:
        constant = CONSTANT.get(node.name)
        return CONSTANT_LOG10 if constant is not None and constant.np != math.inf else None

    def visit_Neg(self, node: Neg) -> float | None:
        return self.visit(node.arg)

    def visit_Add(self, node: Add) -> float | None:
        parts = _all_known([self.visit(node.left), self.visit(node.right)])
        if parts is None:
            return None
        finite = [p for p in parts if p != -math.inf]
        return max(finite, default=-math.inf) + math.log10(len(parts))

    def visit_Mul(self, node: Mul) -> float | None:
        parts = _all_known([self.visit(node.left), self.visit(node.right)])
        if parts is None:
            return None
        finite = [p for p in parts if p != -math.inf]
        return -math.inf if len(finite) < len(parts) else sum(finite)

    def visit_Div(self, node: Div) -> float | None:
        a, b = self.visit(node.num), self.visit(node.den)
        if a is None or b is None:
            return None
        return a - (b if b != -math.inf else 0.0)

    def visit_Pow(self, node: Pow) -> float | None:
        limits = self.limits
        base, exponent = self.visit(node.base), self.visit(node.exp)
        if exponent is not None and exponent > math.log10(limits.max_log10 * 10):
            # A huge constant exponent is only harmless on exactly 0 or +-1 (a base that merely
            # rounds to 1, such as 1.000...001, is not).
            value = exact_value(node.base, limits) if base is not None else None
            if value is None or abs(value) not in (0, 1):
                raise TooLarge("an exponent in the answer is too large")
            return -math.inf if value == 0 else 0.0
        if exponent is not None and base is None:
            e = small_value(node.exp)
            if e is None or abs(e) > limits.max_exponent:
                raise TooLarge(f"a power with exponent above {limits.max_exponent} is too large")
            return None
        if base is None or exponent is None:
            return None
        if base == -math.inf:
            return -math.inf
        e = small_value(node.exp)
        if e is None:  # a complex exponent such as I*pi: |a^(u+iv)| <= |a|^|u| e^(pi |v|)
            if exponent > math.log10(limits.max_log10):
                raise TooLarge("an exponent in the answer is too large")
            return 10 ** exponent * (abs(base) + 1.4)
        return e * base if e >= 0 else -e * max(-base, base)

    def visit_Fact(self, node: Fact) -> float | None:
        return self._factorial(node.arg)

    def visit_Call(self, node: Call) -> float | None:
        parts = _all_known([self.visit(arg) for arg in node.args])
        if parts is None:
            return None
        function = FUNCTION.get(node.name)
        name = function.name if function is not None else None
        if name == "exp":
            value = small_value(node.args[0]) if node.args else 0.0
            if value is None or abs(value) / math.log(10) > self.limits.max_log10:
                raise TooLarge("exp of this argument is too large", node.pos)
            return value / math.log(10)
        if name == "factorial":
            return self._factorial(node.args[0]) if node.args else None
        if name == "sqrt":
            return parts[0] / 2 if parts else 0.0
        # Any other function (or a name times a bracket) is bounded by its largest argument.
        return max([p for p in parts if p != -math.inf], default=0.0)

    def _factorial(self, arg: Node) -> float | None:
        a = self.visit(arg)
        if a is None:
            return None
        limits = self.limits
        value = small_value(arg)
        if value is None or a > math.log10(limits.max_factorial + 1) or value > limits.max_factorial:
            raise TooLarge(f"factorial of a number above {limits.max_factorial} is too large")
        return math.lgamma(max(value, 0) + 1) / math.log(10)


def exact_value(node: Node, limits: Limits = DEFAULT) -> Fraction | None:
    """The exact rational value of a subtree made of numbers, + - * / and small integer powers,
    or None (a variable, a constant such as pi, a function, a power too large to compute)."""
    try:
        return ExactValue(limits).visit(node)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None


class ExactValue(Visitor["Fraction | None"]):
    """The pass behind :func:`exact_value`: rational arithmetic, each power computed only when
    its result stays within 10^+-max_log10 (checked in log space first)."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def generic_visit(self, node: Node) -> None:
        return None

    def visit_Num(self, node: Num) -> Fraction:
        return node.value

    def visit_Neg(self, node: Neg) -> Fraction | None:
        v = self.visit(node.arg)
        return None if v is None else -v

    def visit_Add(self, node: Add) -> Fraction | None:
        a, b = self.visit(node.left), self.visit(node.right)
        return None if a is None or b is None else a + b

    def visit_Mul(self, node: Mul) -> Fraction | None:
        a, b = self.visit(node.left), self.visit(node.right)
        return None if a is None or b is None else a * b

    def visit_Div(self, node: Div) -> Fraction | None:
        a, b = self.visit(node.num), self.visit(node.den)
        return None if a is None or b is None or b == 0 else a / b

    def visit_Pow(self, node: Pow) -> Fraction | None:
        a, b = self.visit(node.base), self.visit(node.exp)
        if a is None or b is None or b.denominator != 1:
            return None
        if a == 0:
            return None if b < 0 else Fraction(int(b == 0))
        if abs(a) == 1:
            return a ** (int(b) % 2) if a < 0 else Fraction(1)
        size = abs(b) * max(math.log10(abs(a.numerator)) + 1, math.log10(a.denominator) + 1)
        if size > 4 * self.limits.max_log10:
            return None
        return a ** int(b)


class FloatValue(Visitor["float | None"]):
    """The float value of a constant subtree; None as soon as it has a variable, a call, a
    subscript or a non-real constant. May raise OverflowError, ZeroDivisionError or ValueError."""

    def generic_visit(self, node: Node) -> None:
        return None

    def visit_Num(self, node: Num) -> float:
        return float(node.value)

    def visit_Name(self, node: Name) -> float | None:
        constant = CONSTANT.get(node.name)
        return constant.real if constant is not None else None

    def visit_Neg(self, node: Neg) -> float | None:
        v = self.visit(node.arg)
        return None if v is None else -v

    def visit_Add(self, node: Add) -> float | None:
        values = _all_known([self.visit(node.left), self.visit(node.right)])
        return None if values is None else math.fsum(values)

    def visit_Mul(self, node: Mul) -> float | None:
        values = _all_known([self.visit(node.left), self.visit(node.right)])
        return None if values is None else math.prod(values)

    def visit_Div(self, node: Div) -> float | None:
        a, b = self.visit(node.num), self.visit(node.den)
        return None if a is None or b is None else a / b

    def visit_Pow(self, node: Pow) -> float | None:
        a, b = self.visit(node.base), self.visit(node.exp)
        if a is None or b is None:
            return None
        result = a ** b
        return result.real if isinstance(result, complex) else result

    def visit_Fact(self, node: Fact) -> float | None:
        a = self.visit(node.arg)
        return None if a is None else math.gamma(a + 1)
