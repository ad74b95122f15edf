"""Working lines of issue 21, round 3: substitutions written in a line's justification, the limit a
derivation means by log(a/0), equals signs that carry their reason, Unicode limits of a sum, LaTeX
powers in round brackets, ``\\middle|`` and an integral followed by a factor. Each case is written
here (plain, Unicode and LaTeX spellings), with traps that must stay wrong or invalid."""
from __future__ import annotations

import pytest
from reading import steps

# --- 1. a substitution in a line's justification defines its name for that line and the later ones --

SUBSTITUTIONS = [
    ("ds/dt\n= \\frac{d}{dt} u^{-1} \\quad\\text{with } u = 1 + e^{-t}\n= -u^{-2}\\,\\frac{du}{dt}\n"
     "= u^{-2} e^{-t}", ["start", "ok", "ok", "ok"]),
    ("ds/dt\n= d/dt (1/u)   (let u = 1 + e^{-t})\n= -u^{-2} du/dt\n= e^{-t}/u^2", ["start", "ok", "ok", "ok"]),
    ("ds/dt\n= d/dt u^{-1}   # u := 1 + e^(-t)\n= -(1/u^2) du/dt", ["start", "ok", "ok"]),
    ("ds/dt\n= d/dt (1/u), u := 1 + e^{-t}\n= -u^{-2} du/dt", ["start", "ok", "ok"]),
    ("\\frac{ds}{dt}\n= \\frac{d}{dt}\\frac{1}{u} \\quad \\text{where } u \\coloneqq 1 + e^{-t}\n"
     "= -\\frac{1}{u^2}\\frac{du}{dt}", ["start", "ok", "ok"]),
    ("ds/dt\n= d/dt (1/u)  with  1 + e^{-t} =: u\n= -(1/u^2) du/dt", ["start", "ok", "ok"]),
    ("ds/dt\n= d/dt (1/u)    # using the substitution u = 1 + e^(-t), so du/dt = -e^(-t)\n= e^{-t}/u^2",
     ["start", "ok", "ok"]),
    ("\\frac{ds}{dt}\n= \\frac{d}{dt} u^{-1} \\quad\\text{with } u = 1 + e^{-t} \\text{ so } \\frac{du}{dt} = -e^{-t}\n"
     "= -u^{-2}\\,\\frac{du}{dt}", ["start", "ok", "ok"]),
    ("ds/dt\n= d/dt u^{-1}     # u = 1 + e^{-t} => du/dt = -e^{-t}\n= -u^{-2} du/dt", ["start", "ok", "ok"]),
    ("ds/dt\n= \\frac{d}{dt} u^{-1},\\ \\text{with}\\ u = 1 + e^{-t}\n= -u^{-2}\\frac{du}{dt}", ["start", "ok", "ok"]),
    ("ds/dt\n= \\frac{d}{dt} u^{-1} \\qquad [\\text{substitute } u = 1 + e^{-t}]\n= -u^{-2}\\frac{du}{dt}",
     ["start", "ok", "ok"]),
    # traps: a dropped sign, a dropped square stay wrong under the substitution
    ("ds/dt\n= \\frac{d}{dt} u^{-1} \\quad\\text{with } u = 1 + e^{-t}\n= -u^{-2}\\,\\frac{du}{dt}\n"
     "= -u^{-2} e^{-t}", ["start", "ok", "ok", "wrong"]),
    ("ds/dt\n= d/dt (1/u)   (let u = 1 + e^{-t})\n= e^{-t}/u", ["start", "ok", "wrong"]),
    # a justification that defines nothing new leaves u unknown; a known name is never redefined
    ("ds/dt\n= d/dt (1/u)    # x = 0 gives the max\n= -(1/u^2) du/dt", ["start", "invalid", "invalid"]),
    ("ds/dt\n= s(1 - s)   (with s = 1/2)\n= 1/4", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("working,expected", SUBSTITUTIONS)
def test_a_substitution_beside_a_line_defines_its_name(banks, working, expected) -> None:
    assert steps(banks, "sheet9", "p3.sigmoid_derivative", working) == expected


DEFINITION_LINES = [
    # a line of definitions alone (not continuing the chain) defines what later lines use: ok, it fixes
    # nothing (the next line is judged against the line before it); on line 0 it is the start
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\nLet u = 1 + e^{-t}.\n= d/dt (1/u)\n= -u^{-2} du/dt\n= e^{-t}/u^2",
     ["start", "ok", "ok", "ok", "ok"]),
    ("sheet9", "p3.sigmoid_derivative", "\\text{Let } u = 1 + e^{-t}\n\\frac{ds}{dt} = \\frac{d}{dt} u^{-1}\n"
     "= -u^{-2} \\frac{du}{dt}", ["start", "ok", "ok"]),
    ("sheet9", "p3.sigmoid_derivative", "s'(t)\nLet u(t) = 1 + e^{-t}.\n= d/dt (1/u(t))\n= -u'(t)/u(t)^2\n"
     "= -e^{-t}/u(t)^2", ["start", "ok", "ok", "ok", "wrong"]),
    ("sheet9", "p3.sigmoid_derivative", "s'(t)\nSubstituting u = 1 + e^{-t}:\n= d/dt u^{-1}\n= -u^{-2} du/dt",
     ["start", "ok", "ok", "ok"]),
    ("sheet9", "p3.sigmoid_derivative", "s'(t)\n= \\frac{d}{dt}\\frac{1}{u} \\quad\\text{with } u \\equiv 1 + e^{-t}\n"
     "= -\\frac{u'}{u^2}\n= \\frac{u'}{u^2}", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p3.gradient", "dL/dt\nv := 1 - s\n= -y/s s(1-s) + (1-y)/v s v\n= s - y", ["start", "ok", "ok", "ok"]),
    ("sheet8", "p4.training_mults", "M\nLet F = n L K^2 (the forward pass).\n= F + 2F\n= 2F",
     ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p4.training_mults", "F = n H W C_out C_in k^2\nB = 2F\ntotal = F + B\n= 3 n H W C_out C_in k^2",
     ["start", "ok", "ok", "ok"]),
    ("sheet9", "p1.bound", "d a^2/3 = 1\nc = 3/d\na^2 = c\na = \\sqrt{c}", ["start", "ok", "ok", "ok"]),
    # a defining sign on a name the model knows states an equality (p is 1 - q in the model)
    ("sheet9", "p2.sigma", "Var[y] = 1\np := 1 - q\nd σ²/(2p) = 1\nσ = √(2p/d)\nσ = √(2q/d)",
     ["start", "ok", "ok", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n\\text{Write } w_1 = a u \\text{ with } u \\sim U(-1, 1)\n"
     "= d a^2 E[u^2]\n= d a^2/3", ["start", "ok", "ok", "ok", "ok"]),
    ("sheet9", "p4.forward_mults", "mults\nLet S = H W be the number of output positions.\n= n S C_out C_in k^2\n"
     "= n H W C_out C_in k^2\n= n S C_out C_in k", ["start", "ok", "ok", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\nLet u ~ U(-a, a).\n= d E[u^2]\n= d E[u]^2", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\nLet u = w_1 z_1.\n= d E[u^2]\n= d E[u]^2", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\nLet u = u + 1.\n= d/dt (1/u)", ["start", "invalid", "invalid"]),
    # traps: a line after a definition is judged by what the definition says; a wrong relation is refused
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\nLet u = 1 - e^{-t}.\n= d/dt (1/u)", ["start", "ok", "wrong"]),
    ("sheet9", "p4.training_mults", "F = n H W C_out C_in k^2\nB = F\ntotal = F + B", ["start", "ok", "wrong"]),
    ("sheet9", "p1.bound", "d a^2/3 = 1\nc = 3/d\na = c", ["start", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= d E[w_1^2]\n\\text{Write } w_1 = 2 a u \\text{ with } u \\sim U(-1, 1)\n"
     "= d a^2 E[u^2]", ["start", "ok", "invalid", "invalid"]),
    # a line that names the quantity (no later line uses the name) defines nothing; a definition after
    # the line that needs it comes too late
    ("sheet9", "p4.forward_mults", "mults = n H W C_out C_in k^2\n= n H W C_out C_in k", ["start", "wrong"]),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= d/dt (1/u)\nu = 1 + e^{-t}\n= -u^{-2} du/dt",
     ["start", "invalid", "ok", "ok"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", DEFINITION_LINES)
def test_a_line_of_definitions_alone(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


SCALED = [
    # a new variable defined and given its law at once: the definition is what it is (the law a remark)
    ("Var[y]\n= d E[w_1^2]   \\text{with } u = w_1/a,\\ u \\sim U(-1,1)\n= d a^2 E[u^2]\n= d a^2/3",
     ["start", "ok", "ok", "ok"]),
    ("Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2] \\quad (u := w_1/a \\sim U(-1, 1))\n= d a^2/3",
     ["start", "ok", "ok", "ok"]),
    # traps: E[u^2] is 1/3, not 1; a wrong law never replaces the definition
    ("Var[y]\n= d E[w_1^2]\n= d a^2 E[u^2] \\quad (u := w_1/a \\sim U(-1, 1))\n= d a^2",
     ["start", "ok", "ok", "wrong"]),
    ("Var[y]\n= d E[w_1^2]   with u = w_1, u ~ U(-1, 1)\n= d a^2 E[u^2]", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("working,expected", SCALED)
def test_a_defined_variable_with_its_law(banks, working, expected) -> None:
    assert steps(banks, "sheet9", "p1.variance", working) == expected


# --- 2. the optimum of the unsmoothed cross-entropy: log(a/0) is the limit +oo ------------------

GAP = [
    ("x_y - x_j\n= \\log\\frac{z_y}{z_j}\n= \\infty", ["start", "ok", "ok"]),
    ("x_y - x_j\n= log(p_y / p_j)\n= log(1/0)\n= oo", ["start", "ok", "ok", "ok"]),
    ("x_y - x_j\n= \\ln\\frac{1}{0}\n= +\\infty", ["start", "ok", "ok"]),
    # traps: a finite optimum stays wrong; a bare division by zero, log(0), log(-1/0), log(0/0) stay invalid
    ("x_y - x_j\n= \\log\\frac{z_y}{z_j}\n= \\log\\frac{1}{1/d}", ["start", "ok", "wrong"]),
    ("x_y - x_j\n= log(d)\n= log(1/0)", ["start", "wrong", "wrong"]),
    ("x_y - x_j\n= 1/0", ["start", "invalid"]),
    ("x_y - x_j\n= -log(0)", ["start", "invalid"]),
    ("x_y - x_j\n= log(-1/0)", ["start", "invalid"]),
    ("x_y - x_j\n= log(0/0)", ["start", "invalid"]),
    ("x_y - x_j\n= log(z_j / z_y)", ["start", "invalid"]),
]


@pytest.mark.parametrize("working,expected", GAP)
def test_the_unsmoothed_gap_is_the_limit_of_log_a_over_zero(banks, working, expected) -> None:
    assert steps(banks, "sheet8", "p3.unsmoothed_gap", working) == expected


# --- 3. spellings of a line: an equals sign with its reason, Unicode limits, LaTeX brackets ---------

SPELLINGS = [
    ("sheet9", "p1.variance", "\\operatorname{Var}[y]\n\\stackrel{\\text{indep.}}{=} \\sum_{i=1}^{d} "
     "\\operatorname{Var}[w_i z_i]\n\\overset{(a)}{=} d\\,\\mathbb{E}[w_1^2]\n= \\frac{d a^2}{3}",
     ["start", "ok", "ok", "ok"]),
    ("sheet9", "p1.variance", "\\begin{align*}\n"
     "\\mathrm{Var}(y) &\\overset{\\text{iid}}{=} d\\,\\mathrm{Var}(w_1 z_1) \\\\\n"
     "&\\underset{E[w_1] = 0}{=} d\\,\\frac{a^2}{12}\n\\end{align*}", ["start", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= Σᵢ₌₁ᵈ Var[wᵢ zᵢ]\n= d a²/3", ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= Σᵢ₌₂ᵈ Var[wᵢ zᵢ]", ["start", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= d \\cdot \\frac{1}{2a}\\int_{-a}^{a} w^2\\,dw \\cdot 1\n"
     "= d \\int_{-a}^{a} w^2\\,\\mathrm{d}w \\,/\\, (2a)\n= d/(2a) int_{-a}^{a} w^2 dw * 2",
     ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p3.sigmoid_derivative", "ds/dt\n= \\frac{e^{-t}}{(1 + e^(-t))^2}\n= \\frac{e^(-t)}{1 + e^(-t)}",
     ["start", "ok", "wrong"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= \\mathbb{E}[h_i^2] - x_i^2\n"
     "= \\mathbb{E}\\left[h_i^2 \\,\\middle|\\, m_i = 1\\right] p - x_i^2\n"
     "= \\mathbb{E}\\left[h_i^2 \\,\\middle|\\, m_i = 1\\right] - x_i^2", ["start", "ok", "ok", "wrong"]),
]


NOTATIONS = [
    # the operator \partial_{x_j}, a probability in square brackets, expectations over named families,
    # limits placed with \limits, the old font switch \rm
    ("sheet8", "p3.gradient", "dL/dx_j\n= -\\partial_{x_j} \\left( x_c - \\log\\sum_k e^{x_k} \\right)\n"
     "= -\\delta_{jc} + \\frac{e^{x_j}}{\\sum_k e^{x_k}}\n= \\delta_{jc} - z_j", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p3.sigmoid_derivative", "\\partial_t \\sigma(t)\n= \\partial_t (1 + e^{-t})^{-1}\n"
     "= -e^{-t} (1 + e^{-t})^{-2}", ["start", "ok", "wrong"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= P[m_i = 1] x_i^2/p^2 - x_i^2\n"
     "= \\Pr[m_i = 1] \\cdot \\frac{x_i^2}{p^2} - x_i^2\n"
     "= Pr[m_i = 0] x_i^2/p^2 - x_i^2", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= \\mathbb{E}_{w,z}\\left[y^2\\right]\n"
     "= \\sum_{i=1}^{d} \\mathbb{E}_{w_i}[w_i^2]\\;\\mathbb{E}_{z_i}[z_i^2]\n= \\sum\\limits_{i=1}^{d} \\frac{a^2}{3}\n"
     "= \\sum_{i=1}^{d} \\mathbb{E}_{w_i}[w_i]^2", ["start", "ok", "ok", "ok", "wrong"]),
    ("sheet9", "p2.mean", "E[h_i]\n= \\mathbb{E}_{m_i \\sim \\mathrm{Bern}(p)}\\left[\\frac{m_i x_i}{p}\\right]\n"
     "= \\mathbb{E}_{m_i \\sim \\mathrm{Bern}(p)}[m_i x_i]", ["start", "ok", "wrong"]),
    ("sheet9", "p1.variance", "Var[y]\n= \\sum_{1 \\le i \\le d} Var[w_i z_i]\n= \\sum_{i \\in [d]} Var[w_i z_i]\n"
     "= \\sum_{2 \\le i \\le d} Var[w_i z_i]", ["start", "ok", "ok", "wrong"]),
    ("sheet8", "p2.variance", "Var[y]\n= d\\sigma^2 E[x_1^2]\n= d\\sigma^2 \\mathbb{E}[z_1^2 \\mathbb{I}[z_1 > 0]]\n"
     "= \\sigma^2 \\mathbb{E}[z_1^2 \\mathbb{I}[z_1 > 0]]", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p4.forward_mults", "N\n= n H W C_{\\rm out} C_{\\rm in} k^2\n= n H W C_{\\rm out} C_{\\rm in} k",
     ["start", "ok", "wrong"]),
]


LAW_MOMENTS = [
    # the mean or the variance of a law written by its name: U(a, b) by its ends, Bernoulli(p)
    ("sheet9", "p1.variance", "Var(y)\n= d Var(w_1)\n= d · Var(U(−a, a))\n= d Var(U(0, 2a))\n"
     "= d a²/3",
     ["start", "ok", "ok", "ok", "ok"]),
    ("sheet9", "p1.variance", "Var[y]\n= d \\operatorname{Var}[\\mathcal{U}(-a, a)]\n"
     "= d \\operatorname{Var}[U[-a, a]]\n"
     "= d Var[U(0, a)]", ["start", "ok", "ok", "wrong"]),
    ("sheet9", "p2.variance", "Var[h_i]\n= (x_i/p)^2 Var[Bernoulli(p)]\n= (x_i/p)^2 E[Bernoulli(p)]",
     ["start", "ok", "wrong"]),
    # a normal law is left unread (N(0, s) names s the variance or the standard deviation)
    ("sheet9", "p1.variance", "Var[y]\n= d Var[w_1] Var[N(0, 1)]", ["start", "invalid"]),
]


MAX_OF_A_VECTOR = [
    # max(x) and min(x) of the logits are their largest and smallest entries, never the entry itself
    # (SymPy's one-argument Max(x) is x, which read max(x) - min(x) as 0 and a mismatched shift as ok)
    ("dL/dx_j\n= z_j - y_j\n= exp(x_j - max(x))/sum_k exp(x_k - max(x)) - y_j", ["start", "ok", "ok"]),
    ("dL/dx_j\n= z_j - y_j\n= exp(x_j - max(x))/sum_k exp(x_k - min(x)) - y_j", ["start", "ok", "wrong"]),
    ("dL/dx_j\n= z_j - y_j\n= exp(x_j - min(x))/sum_k exp(x_k - max(x)) - y_j", ["start", "ok", "wrong"]),
    ("dL/dx_j\n= z_j - y_j\n= z_j - y_j + max(x) - min(x)", ["start", "ok", "wrong"]),
]


@pytest.mark.parametrize("working,expected", MAX_OF_A_VECTOR)
def test_the_largest_entry_of_a_vector_is_never_the_entry(banks, working, expected) -> None:
    assert steps(banks, "sheet8", "p3.gradient", working) == expected


@pytest.mark.parametrize("sheet,qid,working,expected", LAW_MOMENTS)
def test_the_moments_of_a_law_written_by_its_name(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


ALIGNED = [
    # an align environment: the annotation column after && explains the line, \nonumber, \notag, \tag{..}
    # and \label{..} are layout; a prime on the sheet's function of t is its derivative
    ("sheet9", "p1.variance", "\\begin{align}\n\\operatorname{Var}[y] &= \\sum_{i=1}^d \\operatorname{Var}[w_i z_i] && "
     "\\text{(independence)} \\\\\n&= d\\,\\mathbb{E}[w_1^2]\\,\\mathbb{E}[z_1^2] && \\text{(zero means)} "
     "\\nonumber \\\\\n"
     "&= \\frac{d a^2}{3} \\tag{1}\n\\end{align}", ["start", "ok", "ok"]),
    ("sheet9", "p1.variance", "\\begin{aligned}\n\\mathrm{Var}[y] &= d\\,\\mathrm{Var}[w_1 z_1] \\label{eq:var}\\\\\n"
     "&= d\\,\\frac{a^2}{3}\\cdot 1 \\notag\\\\\n&= \\frac{d a^2}{12} && \\text{wrong on purpose}\n\\end{aligned}",
     ["start", "ok", "wrong"]),
    ("sheet9", "p2.variance", "\\begin{align*}\n"
     "\\operatorname{Var}[h_i] &= \\mathbb{E}[h_i^2] - \\mathbb{E}[h_i]^2 \\\\\n"
     "&= \\frac{x_i^2}{p} - x_i^2 &&(m_i^2 = m_i)\\\\\n&= x_i^2\\,\\frac{1-p}{p^2}\n\\end{align*}",
     ["start", "ok", "wrong"]),
    ("sheet9", "p3.gradient", "$\\frac{dL}{dt}$\n$= -\\frac{y}{\\sigma}\\sigma' + \\frac{1-y}{1-\\sigma}\\sigma'$\n"
     "$= -y(1-\\sigma) - (1-y)\\sigma$", ["start", "ok", "wrong"]),
]


UNREADABLE_LINES = [
    # a line that cannot be read is skipped whole: a link of it (s(1-s) after an = inside its remark)
    # is never the line the next is judged against
    ("sheet9", "p3.gradient", "dL/dt\n= -y/s · s' + (1-y)/v · s'   where v = 1 - s and s' = s(1-s)\n"
     "= -y(1-s) + (1-y)s\n= y - s", ["start", "invalid", "ok", "wrong"]),
    ("sheet9", "p4.forward_mults", "mults\nLet P = H W be the positions.\n= n H W C_out C_in k^2",
     ["start", "invalid", "ok"]),
]


@pytest.mark.parametrize("sheet,qid,working,expected", UNREADABLE_LINES)
def test_an_unreadable_line_is_skipped_whole(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


@pytest.mark.parametrize("sheet,qid,working,expected", ALIGNED)
def test_align_environments_and_primes(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


@pytest.mark.parametrize("sheet,qid,working,expected", NOTATIONS)
def test_notations_of_a_working_line(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


@pytest.mark.parametrize("sheet,qid,working,expected", SPELLINGS)
def test_spellings_of_a_working_line(banks, sheet, qid, working, expected) -> None:
    assert steps(banks, sheet, qid, working) == expected


# --- a short justification that says the line's value is operated on: the line is refused ---------

GRADIENT = "dL/dt\n= -y/s ds/dt + (1-y)/(1-s) ds/dt\n= -y(1-s) + (1-y)s"


@pytest.mark.parametrize("tail", ["# negated", "(the other way round)", "\\quad (\\text{inverted})", "# inverted",
                                  "# halved", "# sign flipped", "% then doubled", "\\quad\\text{reversed}"])
def test_a_justification_that_operates_on_the_line_refuses_it(banks: dict, tail: str) -> None:
    assert steps(banks, "sheet9", "p3.gradient", f"{GRADIENT}  {tail}")[-1] == "invalid"


@pytest.mark.parametrize("tail", ["# since ds/dt = s(1-s)", "(using s' = s(1-s))", "\\quad\\text{by the chain rule}",
                                  "# expand, then simplify", "# cancel terms", "# simplified", "# expanded",
                                  "# the two s y terms cancel"])
def test_a_justification_of_the_step_stays_one(banks: dict, tail: str) -> None:
    assert steps(banks, "sheet9", "p3.gradient", f"{GRADIENT}  {tail}")[-1] == "ok"


def test_squaring_both_sides_is_a_method() -> None:
    from derivcheck.grading.steps import changes_the_line

    assert not changes_the_line("squared both sides") and changes_the_line("squared")
    assert not changes_the_line("the squared terms cancel because E[y] = 0")
