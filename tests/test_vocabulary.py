"""The grading language's one vocabulary table and the parse tree's one visitor.

Every function and constant of ``grading/vocabulary.py`` is read from each of its plain and LaTeX
spellings to the same SymPy expression, and its mpmath and float64 values agree at a point, both
directly and through the evaluator. A function's arity is enforced. A pass over the tree that
overrides only some node kinds still walks all the others.
"""
import re
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivcheck.grading.errors import AnswerError
from derivcheck.grading.numeric import MP, NP, evaluate
from derivcheck.grading.parser import parse_plain
from derivcheck.grading.reader import parse_answer
from derivcheck.grading.symbolic import Vocabulary, X
from derivcheck.grading.tasks import equiv_task
from derivcheck.grading.tree import Big, Call, Entry, Name, Num, Pow, Sub, Visitor
from derivcheck.grading.vocabulary import CONSTANTS, FUNCTIONS, Constant, Function

GRADING = Path(__file__).resolve().parents[1] / "grading"

T, U = sp.Symbol("t", real=True), sp.Symbol("u", real=True)
SCALARS = Vocabulary(symbols={"t": T, "u": U})
VECTORS = Vocabulary(vectors={"x": "vector"}, indices=frozenset("ijk"))
POINT = {T: 0.3, U: 2.5}            # inside every domain: asin(t), acos(t), log(t, u)
VECTOR = [0.3, -1.2, 2.0]


def _call(f: Function) -> tuple[str, list[sp.Expr], Vocabulary]:
    """The argument text, the SymPy arguments and the vocabulary a call of ``f`` is read under."""
    if f.vector:
        return "(x)", [X], VECTORS
    args = [T, U][:max(f.arity[0], min(f.arity[1], 2))]
    return "(" + ", ".join(map(str, args)) + ")", args, SCALARS


def _read(text: str, vocab: Vocabulary) -> sp.Expr:
    return parse_answer(text, vocab).expr


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=complex), np.asarray(b, dtype=complex)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-14))


#: Functions whose real domain leaves out 0.3: their point moves inside it.
DOMAIN = {"acosh": {T: 1.3, U: 2.5}}


def _point(f: Function) -> dict:
    return DOMAIN.get(f.name, POINT)


def _mp_point(f: Function) -> list:
    return [[mpmath.mpf(v) for v in VECTOR]] if f.vector else [mpmath.mpf(_point(f)[a]) for a in _call(f)[1]]


def _np_point(f: Function) -> list:
    return [np.array(VECTOR)] if f.vector else [_point(f)[a] for a in _call(f)[1]]


def _floats(value):
    return [complex(v) for v in value] if isinstance(value, list) else complex(value)


ids = [f.name for f in FUNCTIONS]


@pytest.mark.parametrize("f", FUNCTIONS, ids=ids)
def test_function_plain_spellings_read_as_its_constructor(f):
    args_text, args, vocab = _call(f)
    expected = f.over_entries(*args) if (f.over_entries and vocab is VECTORS) else f.sympy(*args)
    for spelling in f.spellings:
        assert _read(spelling + args_text, vocab) == expected, spelling


@pytest.mark.parametrize("f", FUNCTIONS, ids=ids)
def test_function_latex_spellings_read_as_the_plain_one(f):
    args_text, _, vocab = _call(f)
    plain = _read(f.name + args_text, vocab)
    assert f.latex_spellings, "every function has at least its \\operatorname form"
    for spelling in f.latex_spellings:
        assert _read(spelling + args_text, vocab) == plain, spelling
        assert _read(f"${spelling}{{{args_text[1:-1]}}}$", vocab) == plain, spelling  # \exp{t}


@pytest.mark.parametrize("f", FUNCTIONS, ids=ids)
def test_function_mp_and_np_agree(f):
    with mpmath.workdps(30):
        mp_value = f.mp(*_mp_point(f))
    with np.errstate(all="raise"):
        np_value = f.np(*_np_point(f))
    assert _close(_floats(mp_value), np_value), (mp_value, np_value)


@pytest.mark.parametrize("f", FUNCTIONS, ids=ids)
def test_function_evaluates_through_its_record(f):
    """The evaluator reaches the same values from the read SymPy expression."""
    args_text, args, vocab = _call(f)
    expr = _read(f.name + args_text, vocab)
    with mpmath.workdps(30):
        direct = f.mp(*_mp_point(f))
        mp_point = {X: _mp_point(f)[0]} if f.vector else {a: mpmath.mpf(_point(f)[a]) for a in args}
        through = evaluate(expr, mp_point, MP())
    np_point = {X: np.array(VECTOR)} if f.vector else dict(_point(f))
    assert _close(_floats(through), _floats(direct))
    assert _close(evaluate(expr, np_point, NP()), _floats(direct))


@pytest.mark.parametrize("c", CONSTANTS, ids=[c.name for c in CONSTANTS])
def test_constants(c: Constant):
    for spelling in (*c.spellings, *c.latex_spellings):
        assert _read(spelling, SCALARS) == c.sympy, spelling
    assert complex(c.mp) == c.np
    assert complex(evaluate(c.sympy, {}, MP())) == evaluate(c.sympy, {}, NP()) == c.np


@pytest.mark.parametrize("latex, plain", [
    (r"\arcsin(x)", "asin(x)"), (r"\arccos(x)", "acos(x)"), (r"\arctan(x)", "atan(x)"),
    (r"\sinh(x)", "sinh(x)"), (r"\cosh(x)", "cosh(x)"), (r"\tanh(x)", "tanh(x)"),
    (r"\arcsin{\frac{x}{2}}", "asin(x/2)"), (r"\operatorname{arcsin}(x)", "asin(x)"),
    (r"\operatorname{erf}(x)", "erf(x)"), (r"\mathrm{e}^{x}", "exp(x)"), (r"2\pi r", "2 pi r"),
])
def test_latex_function_commands_in_equiv(latex, plain):
    out = equiv_task(latex, plain, {"x": "interval(-1,1)"})
    assert out["equivalent"] is True and out["status"] == "proven", out


def test_arcsin_is_not_an_unknown_name():
    assert equiv_task(r"\arcsin(x)", "x", {"x": "interval(-1,1)"})["status"] == "counterexample"


@pytest.mark.parametrize("f", FUNCTIONS, ids=ids)
def test_arity_is_enforced(f):
    lo, hi = f.arity
    arg, vocab = ("x", VECTORS) if f.vector else ("t", SCALARS)
    for n in (lo - 1, hi + 1):
        with pytest.raises(AnswerError, match=rf"{f.name} takes .* got {n}"):
            _read(f"{f.name}({', '.join([arg] * n)})", vocab)


def test_a_function_used_as_a_name_asks_for_its_bracket():
    with pytest.raises(AnswerError, match=r"asin is a function: write asin\(\.\.\.\)"):
        _read("asin + t", SCALARS)


def test_vector_functions_only_in_vector_questions():
    for f in FUNCTIONS:
        if f.vector:
            with pytest.raises(AnswerError, match="only for the vector questions"):
                _read(f"{f.name}(t)", SCALARS)


def test_big_operators_are_the_functions_over_entries():
    grammar = (GRADING / "grammar.lark").read_text()
    names = re.search(r"BIGOP\.2: /\(([a-z|]+)\)_", grammar).group(1).split("|")
    assert set(names) == {f.name for f in FUNCTIONS if f.over_entries is not None}
    assert _read("max_j x_j - min_j x_j + sum_k x_k", VECTORS) == \
        _read("max(x) - min(x) + sum(x)", VECTORS)


def test_float_backend_overflows_like_a_float_program():
    """factorial in float64 is inf past overflow and nan at a pole, not an exception."""
    n = sp.Symbol("n")
    with np.errstate(all="ignore"):
        assert evaluate(sp.factorial(n), {n: 200.0}, NP()) == np.inf
        assert np.isnan(evaluate(sp.factorial(n), {n: -2.0}, NP()))
        assert evaluate(sp.erf(n), {n: np.array([0.0, 40.0])}, NP()).tolist() == [0.0, 1.0]


def test_core_never_imports_scipy():
    code = ("import sys, sympy as sp, numpy as np; from derivcheck.grading.numeric import NP, evaluate; "
            "from derivcheck.grading.grader import check; n = sp.Symbol('n'); "
            "evaluate(sp.erf(n) + sp.factorial(n), {n: np.array([0.5, 2.0])}, NP()); "
            "assert 'scipy' not in sys.modules, 'scipy imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the parse tree and its visitor ---------------------------------------------------------

class Names(Visitor[None]):
    """A pass that only cares about bare names: every other node is walked by the base class."""

    def __init__(self):
        self.seen: list[str] = []

    def visit_Name(self, node: Name) -> None:
        self.seen.append(node.name)


def test_a_pass_overriding_some_nodes_walks_the_rest():
    tree = parse_plain("sum_k exp(a_i * b)^c / softmax(d)_i - e! + f[g] + 2")
    names = Names()
    names.visit(tree)
    assert names.seen == ["b", "c", "d", "e", "g"]  # a_i is a subscript, f[g] an index of f


def test_visitor_dispatches_on_the_node_class():
    class Powers(Visitor[int]):
        def generic_visit(self, node) -> int:
            return sum(self.visit(child) for child in node.children())

        def visit_Pow(self, node: Pow) -> int:
            return 1 + self.visit(node.base) + self.visit(node.exp)

    assert Powers().visit(parse_plain("a^b^c + sqrt(d^2) * max_j x_j^2")) == 4


def test_tree_nodes_keep_positions_and_are_inert():
    tree = parse_plain("2 + softmax(x)_i * sum_k y_k")
    assert tree.left == Num(2)
    entry = tree.right.left
    assert isinstance(entry, Entry) and entry.index == "i" and entry.pos == len("2 + softmax(x)_")
    assert isinstance(entry.base, Call) and entry.base.pos == len("2 + ")
    big = tree.right.right
    assert isinstance(big, Big) and big.op == "sum" and big.arg == Sub("y", "k", len("2 + softmax(x)_i * sum_k "))
    with pytest.raises(AttributeError):
        tree.left = Num(3)
    assert hash(tree) == hash(parse_plain("2 + softmax(x)_i * sum_k y_k"))


def test_the_reading_path_has_no_tuple_switches_and_evaluates_nothing():
    modules = ["parser", "tree", "vocabulary", "bounds", "symbolic", "numeric", "normalize", "reader"]
    forbidden = re.compile(r"node\[0\]|\b(eval|exec|sympify|parse_expr|lambdify)\s*\(")
    for module in modules:
        source = (GRADING / f"{module}.py").read_text()
        assert not forbidden.search(source), (module, forbidden.search(source).group(0))
