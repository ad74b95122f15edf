"""The parse tree of a plain-syntax answer: small, frozen, inert nodes, and one visitor to walk them.

:mod:`.parser` builds these from Lark's parse; every later pass (the size bound of
:mod:`.bounds`, the SymPy construction of :mod:`.symbolic`) is a :class:`Visitor`. A node holds
only text and exact numbers: nothing in it can be called or evaluated. ``pos`` is the 0-based
offset in the parsed text of the token a node starts at, where the node has one token to point
at (names, calls, subscripts, big operators); operators and numbers have none.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import ClassVar, Generic, TypeVar

T = TypeVar("T")


class Node:
    """A node of the parse tree. ``_children`` names the fields that hold sub-trees, in order."""

    __slots__ = ()
    _children: ClassVar[tuple[str, ...]] = ()

    def children(self) -> Iterator[Node]:
        """The node's sub-trees, left to right."""
        for field in self._children:
            value = getattr(self, field)
            if isinstance(value, tuple):
                yield from value
            else:
                yield value


@dataclass(frozen=True, slots=True)
class Num(Node):
    """A number literal, exactly (``0.1`` is 1/10, ``1e3`` is 1000)."""

    value: Fraction


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare name: a variable, a constant (``pi``), or several names run together (``nLK``);
    ``grouped`` when it stands alone in brackets (``(ab)^2`` squares the whole product)."""

    name: str
    pos: int
    grouped: bool = False


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``name(arg, ...)``: a function call, or a name times a bracket (``d(1 - eps)``)."""

    name: str
    args: tuple[Node, ...]
    pos: int
    _children: ClassVar[tuple[str, ...]] = ("args",)


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``name[index]``: an entry of a named vector, indexed by an expression (``x[i]``)."""

    name: str
    index: Node
    pos: int
    _children: ClassVar[tuple[str, ...]] = ("index",)


@dataclass(frozen=True, slots=True)
class Sub(Node):
    """``name_index``: an entry of a named vector (``x_i``) or a subscripted name (``w_{12}``)."""

    name: str
    index: str
    pos: int


@dataclass(frozen=True, slots=True)
class Entry(Node):
    """``(expression)_index``: an entry of a vector expression (``softmax(x)_i``); ``pos`` is the index's."""

    base: Node
    index: str
    pos: int
    _children: ClassVar[tuple[str, ...]] = ("base",)


@dataclass(frozen=True, slots=True)
class Big(Node):
    """``op_k arg``: a big operator over a vector's entries (``sum_k exp(x_k)``, ``max_j x_j``);
    ``var`` is its index (``k``), ``lo`` and ``hi`` its limits, ``values`` the numbers of a finite
    set it runs over instead (``sum_{m in {0,1}}``)."""

    op: str
    arg: Node
    pos: int
    var: str = ""
    lo: Node | None = None
    hi: Node | None = None
    values: tuple[Node, ...] = ()
    _children: ClassVar[tuple[str, ...]] = ("arg",)

    def children(self) -> Iterator[Node]:
        yield self.arg
        yield from (b for b in (self.lo, self.hi) if b is not None)
        yield from self.values


@dataclass(frozen=True, slots=True)
class Add(Node):
    """``left + right`` (``a - b`` is ``a + (-b)``)."""

    left: Node
    right: Node
    _children: ClassVar[tuple[str, ...]] = ("left", "right")


@dataclass(frozen=True, slots=True)
class Mul(Node):
    """``left * right``, written or implied (``2x``)."""

    left: Node
    right: Node
    _children: ClassVar[tuple[str, ...]] = ("left", "right")


@dataclass(frozen=True, slots=True)
class Neg(Node):
    """``-arg``."""

    arg: Node
    _children: ClassVar[tuple[str, ...]] = ("arg",)


@dataclass(frozen=True, slots=True)
class Div(Node):
    """``num / den``."""

    num: Node
    den: Node
    _children: ClassVar[tuple[str, ...]] = ("num", "den")


@dataclass(frozen=True, slots=True)
class Pow(Node):
    """``base ^ exp`` (also typed ``**``)."""

    base: Node
    exp: Node
    _children: ClassVar[tuple[str, ...]] = ("base", "exp")


@dataclass(frozen=True, slots=True)
class Fact(Node):
    """``arg!``, the factorial."""

    arg: Node
    _children: ClassVar[tuple[str, ...]] = ("arg",)


@dataclass(frozen=True, slots=True)
class Given(Node):
    """``op[args | conds]``, ``op(args | conds)``: a conditional expectation, variance, covariance or
    probability (``E[y^2 | z]``, ``E(z_1^2 | z_1 > 0)``, ``Cov(y, y | w, z)``), read in derivations."""

    op: str
    args: tuple[Node, ...]
    conds: tuple[Node, ...]
    pos: int
    _children: ClassVar[tuple[str, ...]] = ("args", "conds")


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``left op right`` with op one of > < >= <= !=: an event (``P(z_1 > 0)``)."""

    op: str
    left: Node
    right: Node
    _children: ClassVar[tuple[str, ...]] = ("left", "right")


@dataclass(frozen=True, slots=True)
class Deriv(Node):
    """A partial derivative of ``arg`` with respect to ``wrt`` (an entry such as ``x_j``):
    ``d/dx_j arg``, ``dL/dx_j``, ``\\frac{\\partial L}{\\partial x_j}``."""

    arg: Node
    wrt: Node
    pos: int
    _children: ClassVar[tuple[str, ...]] = ("arg", "wrt")


def substitute(node: Node, name: str, value: Node) -> Node:
    """``node`` with every bare name ``name`` replaced by the tree ``value`` (``w^3/3`` at ``w = -a`` is
    ``(-a)^3/3``: the value is one operand wherever it stands). Entries (``w_i``), calls' heads and
    subscripts are kept. Recursive: the parser has bounded the depth."""
    if isinstance(node, Name):
        return value if node.name == name else node
    changes: dict[str, object] = {}
    for f in fields(node):  # type: ignore[arg-type]
        old = getattr(node, f.name)
        if isinstance(old, Node):
            changes[f.name] = substitute(old, name, value)
        elif isinstance(old, tuple) and old and all(isinstance(x, Node) for x in old):
            changes[f.name] = tuple(substitute(x, name, value) for x in old)
    return replace(node, **changes) if changes else node  # type: ignore[type-var]


class Visitor(Generic[T]):
    """A pass over the tree, dispatched on the node's class: a ``Pow`` goes to ``visit_Pow``.

    A pass defines ``visit_<Class>`` for the nodes it cares about; any other node goes to
    :meth:`generic_visit`, which visits its children and returns ``None``, so a pass that only
    looks at, say, names still reaches every name in the tree. Recursive: the parser has already
    bounded the depth (``Limits.max_depth``).
    """

    def visit(self, node: Node) -> T:
        method = getattr(self, "visit_" + type(node).__name__, None)
        return method(node) if method is not None else self.generic_visit(node)

    def generic_visit(self, node: Node) -> T:
        for child in node.children():
            self.visit(child)
        return None  # type: ignore[return-value]
