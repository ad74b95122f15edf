"""Derivations against independent references: closed forms from the papers, PyTorch, mpmath."""
import math
import re

import mpmath
import pytest
import sympy as sp
import torch

from derivcheck.derivations import claim_ids, derive
from derivcheck.derivations.relu_variance import a as slope
from derivcheck.derivations.relu_variance import activation_table, second_moment
from derivcheck.derivations.symbols import K, L, d, eps, n, sigma


def equal(expr, reference) -> bool:
    """Symbolically equal, or (for logs SymPy will not merge) equal to 25 digits at domain points."""
    if sp.simplify(expr - reference) == 0:
        return True
    points = [{d: dim, eps: e, sigma: s} for dim in (2, 3, 17) for e in (0.05, 0.5, 0.9) for s in (0.3, 2)]
    return all(abs(sp.N((expr - reference).subs(p), 30)) < 1e-25 for p in points)


@pytest.mark.parametrize("claim", claim_ids())
def test_every_claim_has_steps_latex_and_parses_back(claim):
    dv = derive(claim)
    record = dv.to_dict()
    assert record["id"] == claim and record["statement"] and record["latex"]
    assert len(record["steps"]) >= 3
    assert all(s["text"] and s["latex"] for s in record["steps"])
    parsed = sp.sympify(record["expression"], locals={str(k): v for k, v in dv.symbols.items()})
    assert parsed == dv.result


def test_relu_variance_is_he_closed_form():
    dv = derive("relu_variance")
    assert dv.result == d * sigma**2 / 2  # He et al. 2015, eq. (8) with Var[w] = sigma^2
    assert equal(dv.extras["relu_var"], sp.Rational(1, 2) - 1 / (2 * sp.pi))
    assert dv.extras["relu_mean"] == 1 / sp.sqrt(2 * sp.pi)


def test_relu_variance_mistakes_are_contract_formulas():
    m = derive("relu_variance").mistakes
    assert m["missing_relu_half"] == d * sigma**2
    assert equal(m["used_relu_variance"], d * sigma**2 * (sp.Rational(1, 2) - 1 / (2 * sp.pi)))
    assert m["sigma_as_variance"] == d * sigma / 2
    assert m["missing_dimension"] == sigma**2 / 2


def test_he_sigma_matches_pytorch_gain():
    dv = derive("he_sigma")
    assert equal(dv.result, sp.sqrt(2 / d))
    assert float(dv.result * sp.sqrt(d)) == pytest.approx(torch.nn.init.calculate_gain("relu"), rel=1e-15)
    assert dv.mistakes["gave_variance"] == 2 / d
    assert dv.mistakes["lecun_scale"] == 1 / sp.sqrt(d)


@pytest.mark.parametrize("negative_slope", [0.01, 0.2, 0.5])
def test_leaky_relu_scale_matches_pytorch_gain(negative_slope):
    var, unit_sigma = activation_table()["leaky_relu"]
    assert equal(var, d * sigma**2 * (1 + slope**2) / 2)
    gain = float((unit_sigma * sp.sqrt(d)).subs(slope, negative_slope))
    assert gain == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", negative_slope), rel=1e-14)


def test_identity_and_abs_second_moments():
    assert second_moment("identity") == 1
    assert second_moment("abs") == 1
    assert float(activation_table()["identity"][1] * sp.sqrt(d)) == torch.nn.init.calculate_gain("linear")


@pytest.mark.parametrize("name, phi", [
    ("tanh", mpmath.tanh),
    ("sigmoid", lambda u: 1 / (1 + mpmath.exp(-u))),
    ("gelu", lambda u: u * mpmath.ncdf(u)),
    ("silu", lambda u: u / (1 + mpmath.exp(-u))),
])
def test_numeric_second_moments_against_mpmath(name, phi):
    mpmath.mp.dps = 30
    reference = mpmath.quad(lambda u: phi(u) ** 2 * mpmath.npdf(u), [-mpmath.inf, 0, mpmath.inf])
    assert float(second_moment(name)) == pytest.approx(float(reference), rel=1e-10)


def test_stable_softmax_is_proven():
    dv = derive("stable_softmax")
    assert dv.extras["difference"] == 0
    assert dv.extras["gap_nonnegative"]
    assert all(dv.extras["proven_for_dimensions"].values())


def test_softmax_ce_gradient_against_explicit_jacobian():
    dv = derive("softmax_ce_gradient")
    assert str(dv.result) == "-y[i] + z[i]"
    # Independent: explicit d = 4 logits, one-hot on class 2, differentiate with SymPy directly.
    xs = sp.symbols("x1:5", real=True)
    zs = [sp.exp(v) / sum(sp.exp(u) for u in xs) for v in xs]
    onehot = [0, 1, 0, 0]
    loss = -sum(t * sp.log(p) for t, p in zip(onehot, zs, strict=True))
    assert all(sp.simplify(sp.diff(loss, v) - (p - t)) == 0 for v, p, t in zip(xs, zs, onehot, strict=True))


def test_smoothing_gap_closed_form_and_entropy():
    dv = derive("smoothing_gap")
    assert equal(dv.result, sp.log(1 + d * (1 - eps) / eps))
    assert equal(dv.result, sp.log((1 - eps + eps / d) / (eps / d)))
    assert dv.extras["minimum_is_entropy"] and dv.extras["hessian_ok"] and dv.extras["gap_check"] == 0
    assert equal(dv.mistakes["alt_smoothing_convention"], sp.log((1 - eps) * (d - 1) / eps))
    assert equal(dv.mistakes["true_class_mass_missed"], sp.log(d * (1 - eps) / eps))


@pytest.mark.parametrize("dim, e", [(3, 0.1), (10, 0.25)])
def test_smoothing_minimum_matches_pytorch_loss(dim, e):
    dv = derive("smoothing_gap")
    top, rest = (float(v.subs({d: dim, eps: e})) for v in dv.extras["target"])
    logits = torch.tensor([math.log(top)] + [math.log(rest)] * (dim - 1), dtype=torch.float64)
    loss = torch.nn.functional.cross_entropy(logits[None], torch.tensor([0]), label_smoothing=e)
    assert float(loss) == pytest.approx(float(dv.extras["entropy"].subs({d: dim, eps: e})), rel=1e-13)
    assert float(logits[0] - logits[1]) == pytest.approx(float(dv.result.subs({d: dim, eps: e})), rel=1e-13)


def test_unsmoothed_has_no_finite_minimiser():
    dv = derive("unsmoothed_minimizer")
    assert dv.result == sp.oo
    assert dv.extras["decreasing"] and dv.extras["positive"] and dv.extras["limit"] == 0
    assert dv.extras["smoothed_limit"] == sp.oo


def test_cost_formulas():
    assert derive("forward_mults").result == n * L * K**2
    tm = derive("training_mults")
    assert tm.result == 3 * n * L * K**2
    assert sp.expand(tm.variants["no_input_grad"] - (3 * L - 1) * n * K**2) == 0
    assert derive("inference_memory").result == L * K**2 + 2 * n * K
    mem = derive("training_memory")
    assert mem.result == L * K**2 + n * L * K
    assert sp.expand(mem.variants["with_input"] - (L * K**2 + n * (L + 1) * K)) == 0
    assert sp.expand(mem.variants["with_weight_gradients"] - (2 * L * K**2 + n * L * K)) == 0


def test_cost_mistakes_are_contract_formulas():
    assert derive("forward_mults").mistakes == {"counted_flops": 2 * n * L * K**2, "missing_batch": L * K**2}
    assert derive("training_mults").mistakes == {"counted_flops": 6 * n * L * K**2,
                                                 "missing_backward_matmul": 2 * n * L * K**2}
    assert derive("inference_memory").mistakes == {"kept_all_activations": L * K**2 + n * L * K,
                                                   "missing_weights": 2 * n * K}
    assert derive("training_memory").mistakes == {"freed_activations": L * K**2 + 2 * n * K,
                                                  "missing_weights": n * L * K}


def test_general_widths_forward_cost():
    general = derive("forward_mults").extras["general"]
    widths = sp.IndexedBase("K", integer=True, positive=True)
    value = general.subs(L, 3).doit().subs({widths[0]: 5, widths[1]: 7, widths[2]: 11, widths[3]: 2})
    assert value.subs(n, 4) == 4 * (5 * 7 + 7 * 11 + 11 * 2)


def _outside_math(text: str) -> str:
    """``text`` with every $...$ span removed (the step texts' maths markup)."""
    assert text.count("$") % 2 == 0, f"unbalanced $ in {text!r}"
    return "".join(part for n, part in enumerate(text.split("$")) if n % 2 == 0)


@pytest.mark.parametrize("claim", claim_ids())
def test_step_texts_are_typeset_latex(claim):
    """Statements and step texts carry their maths as $...$: nothing ASCII-mathematical is left outside
    it, and no CAS name (KroneckerDelta, oo) or claim id reaches the reader."""
    dv = derive(claim)
    for text in (dv.statement, *(s.text for s in dv.steps)):
        prose = _outside_math(text)
        assert not re.search(r"[_^]|\bsigma\b|\beps\b|y_hat|->|!=|<=|>=|\boo\b|sqrt\(|\bsum_", prose), text
        assert "KroneckerDelta" not in text and not any(c in text for c in claim_ids())


def test_latex_is_written_as_a_person_writes_it():
    """Positive terms first, the cost symbols in the sheet's order, partial signs, ReLU by name."""
    from derivcheck.derivations.claim import to_latex
    from derivcheck.derivations.symbols import c, i, x, z

    assert to_latex(sp.exp(x[i] - c)) == "e^{{x}_{i} - c}"
    assert to_latex(sp.Rational(1, 2) - 1 / (2 * sp.pi)) == r"\frac{1}{2} - \frac{1}{2 \pi}"
    assert derive("training_mults").latex == "3 n L K^{2}"
    assert to_latex(derive("training_mults").variants["no_input_grad"]) == r"\left(3 L - 1\right) n K^{2}"
    assert derive("inference_memory").latex == "L K^{2} + 2 n K"
    assert to_latex(sp.Max(0, z) ** 2) == r"\operatorname{ReLU}\left(z\right)^{2}"
    gradient = [s.latex for s in derive("softmax_ce_gradient").steps]
    assert gradient[-1] == r"\frac{\partial L}{\partial x} = z - y"
    assert not any("KroneckerDelta" in s or r"\frac{d}{d" in s for s in gradient)


def test_training_memory_keeps_each_layers_input():
    """Backward reads a_{l-1} (dW_l = a_{l-1}^T dL/da_l): the kept activations are a_0..a_{L-1}."""
    general = derive("training_memory").steps[1].expr.rhs
    widths = sp.IndexedBase("K", integer=True, positive=True)
    value = general.subs(L, 3).doit().subs({widths[0]: 5, widths[1]: 7, widths[2]: 11, widths[3]: 2})
    assert value.subs(n, 4) == 4 * (5 + 7 + 11)


# --- the derivations' own steps, judged by the line checker students get -------------------------

@pytest.mark.parametrize("claim", claim_ids())
def test_every_step_is_true_or_says_why_the_checker_cannot_judge_it(claim):
    from derivcheck.simulations.derivation_steps import judged_steps

    records = judged_steps(claim)
    assert len(records) == len(derive(claim).steps)
    for r, step in zip(records, derive(claim).steps, strict=True):
        assert r["verdict"] in ("true", "unjudged"), (claim, r)
        if r["verdict"] == "unjudged":
            assert r["why"].strip(), (claim, r)
        assert bool(step.unjudged) <= (r["verdict"] == "unjudged")
    assert {int(n): why for n, why in derive(claim).to_dict()["unjudged"].items()} == \
        {n: s.unjudged for n, s in enumerate(derive(claim).steps) if s.unjudged}


def test_some_steps_of_the_variance_and_cost_claims_are_judged():
    from derivcheck.simulations.derivation_steps import judged_steps

    for claim, at_least in (("relu_variance", 6), ("he_sigma", 3), ("softmax_ce_gradient", 2),
                            ("smoothing_gap", 2), ("training_mults", 2), ("training_memory", 2)):
        assert sum(r["verdict"] == "true" for r in judged_steps(claim)) >= at_least, claim


def false_step_derivation(claim: str, step: int, wrong_rhs):
    """``claim``'s derivation with step ``step``'s right-hand side replaced (a printed false step)."""
    from dataclasses import replace

    from derivcheck.derivations.claim import eq

    original = derive(claim)
    steps = list(original.steps)
    steps[step] = replace(steps[step], expr=eq(steps[step].expr.lhs, wrong_rhs(steps[step].expr.rhs)))
    return replace(original, steps=tuple(steps))


@pytest.mark.parametrize("claim,step,wrong", [
    ("relu_variance", 3, lambda rhs: rhs.subs(sigma**2, sigma)),
    ("relu_variance", 5, lambda rhs: 2 * rhs),
    ("he_sigma", 2, lambda rhs: 1 / rhs),
    ("training_mults", 3, lambda rhs: rhs + 1),
])
def test_a_false_step_fails_the_step_check_and_verify(monkeypatch, claim, step, wrong):
    from derivcheck.simulations import derivation_steps, verify

    fake = false_step_derivation(claim, step, wrong)
    assert fake.steps[step].expr != derive(claim).steps[step].expr
    monkeypatch.setattr(derivation_steps, "derive", lambda c: fake if c == claim else derive(c))
    derivation_steps.judged_steps.cache_clear()
    try:
        records = derivation_steps.judged_steps(claim)
        assert records[step]["verdict"] == "false", records[step]
        assert next(r["step"] for r in derivation_steps.false_steps(claim)) == step  # the first false one
        options = {"draws": 1 << 12} if claim in ("relu_variance", "he_sigma") else {}
        check = verify(claim, seed=0, device="cpu", **options)
        assert not check.passed and check.details["steps"][step]["verdict"] == "false"
    finally:
        derivation_steps.judged_steps.cache_clear()
