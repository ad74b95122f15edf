"""What the derivations show a reader: test points that tell the mistakes apart, the symmetry argument
of Problem 2, sums over the other classes, arguments stated for every d, one notation."""
from __future__ import annotations

import math

import pytest
import sympy as sp

from derivcheck.derivations import claim_ids, derive
from derivcheck.derivations.separation import distinct_formulas, predictions, separates, separating_first


def test_sigma_one_half_cannot_tell_the_forgotten_half_from_sigma_as_variance():
    # d sigma^2 = d sigma / 2 exactly when sigma = 1/2: the two mistakes predict one number there.
    dv = derive("relu_variance")
    assert not separates(dv, {"d": 64, "sigma": 0.5})
    values = predictions(dv, {"d": 64, "sigma": 0.25})
    assert values == pytest.approx({"result": 2.0, "missing_relu_half": 4.0, "sigma_as_variance": 8.0,
                                    "used_relu_variance": 4 * (0.5 - 1 / (2 * math.pi)), "missing_dimension": 1 / 32})
    assert separates(dv, {"d": 64, "sigma": 0.25})


def test_one_formula_under_two_names_is_one_prediction():
    dv = derive("he_sigma")
    assert set(distinct_formulas(dv)) == {"result", "gave_variance", "lecun_scale"}  # lecun == missing half
    assert separates(dv, {"d": 64})
    assert not separates(dv, {"d": 2})  # 2/d = sqrt(2/d) at d = 2


def test_separating_first_keeps_each_group_in_order():
    dv = derive("relu_variance")
    points = [(64, 0.5), (256, 0.1), (8, 0.5), (64, 0.25)]
    ordered = separating_first(dv, points, at=lambda p: {"d": p[0], "sigma": p[1]})
    assert ordered == [(256, 0.1), (64, 0.25), (64, 0.5), (8, 0.5)]
    assert separating_first(dv, [(8, 0.5)], at=lambda p: {"d": p[0], "sigma": p[1]}) == [(8, 0.5)]


def test_every_simulation_lists_a_separating_point_first():
    """The headline configuration of each simulated claim is where its counterexamples are drawn:
    every distinct mistake must predict a different number there."""
    from derivcheck.simulations import he_sigma, mlp_cost, relu_variance, smoothing_gap

    assert separates(derive("relu_variance"), dict(zip(("d", "sigma"), relu_variance.CONFIGS[0], strict=True)))
    assert separates(derive("he_sigma"), {"d": he_sigma.DIMENSIONS[0]})
    assert separates(derive("smoothing_gap"), dict(zip(("d", "eps"), smoothing_gap.CONFIGS[0], strict=True)))
    for claim in ("forward_mults", "training_mults", "inference_memory", "training_memory"):
        assert separates(derive(claim), dict(zip(("n", "L", "K"), mlp_cost.SWEEP[-1], strict=True))), claim


def test_relu_second_moment_is_half_of_the_normal_second_moment_by_symmetry():
    dv = derive("relu_variance")
    step = next(s for s in dv.steps if "rectified" in s.text)
    z = sp.Symbol("z", real=True)
    assert step.latex == (r"\frac{1}{\sqrt{2 \pi}} \int\limits_{0}^{\infty} z^{2} e^{- \frac{z^{2}}{2}}\, dz = "
                          r"\frac{1}{2}")
    assert "symmetry" in step.text and r"\mathbb{E}[z^2] = 1" in step.text
    # independent: the integral over the whole line of ReLU(z)^2 against the normal density
    direct = sp.integrate(sp.Max(0, z) ** 2 * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo))
    assert sp.simplify(direct - sp.Rational(1, 2)) == 0
    assert dv.extras["relu_second_moment"] == dv.extras["relu_second_moment_integrated"] == sp.Rational(1, 2)


def test_one_notation_for_the_second_moment_of_an_activation():
    step = derive("relu_variance").steps[-1]
    assert r"\mathbb{E}[\phi(z)^2]" in step.text
    assert r"\mathbb{E}\left[\phi\left(z\right)^{2}\right]" in step.latex and r"\phi^{2}" not in step.latex


def test_the_unsmoothed_loss_sums_over_the_other_classes_without_relabelling():
    steps = derive("unsmoothed_minimizer").steps
    assert r"\sum_{j \ne y} e^{- {g}_{j}}" in steps[0].latex and r"\sum_{j \ne y}" in steps[1].latex
    assert not any("d - 1}" in s.latex for s in steps[:2])


def test_no_step_suggests_its_argument_holds_only_for_some_dimensions():
    for claim in claim_ids():
        for s in derive(claim).steps:
            for phrase in ("checked entry by entry for $d =", r"d = 2, \dots", "proves the sign for"):
                assert phrase not in s.text, (claim, s.text)
    hessian = derive("smoothing_gap").steps[1]
    assert hessian.latex == (r"\frac{\partial^{2} L}{\partial {x}_{i} \partial {x}_{j}} = "
                             r"\delta_{i j} {z}_{i} - {z}_{i} {z}_{j}")
    assert "for every $d$" in hessian.text and "for every $d$" in derive("stable_softmax").steps[3].text


def test_the_general_log_sum_exp_hessian_against_explicit_logits():
    """The Hessian derived for every d, at d = 4 against SymPy's Hessian of log(e^x1 + ... + e^x4)."""
    from derivcheck.derivations.smoothing_gap import log_sum_exp_hessian
    from derivcheck.derivations.softmax_ce_gradient import z
    from derivcheck.derivations.symbols import i, j

    general = log_sum_exp_hessian()
    xs = sp.symbols("x1:5", real=True)
    point = dict(zip(xs, (sp.Rational(1, 3), -2, 0, sp.Rational(5, 2)), strict=True))
    zs = [(sp.exp(v) / sum(sp.exp(u) for u in xs)).subs(point) for v in xs]
    hessian = sp.hessian(sp.log(sum(sp.exp(v) for v in xs)), xs).subs(point)
    for a in range(4):
        for b in range(4):
            entry = general.subs({i: a + 1, j: b + 1}).subs({z[a + 1]: zs[a], z[b + 1]: zs[b]})
            assert abs(float(hessian[a, b] - entry)) < 1e-15


def test_wording_of_the_softmax_steps():
    gradient = derive("softmax_ce_gradient").steps
    assert any(s.text.startswith("Evaluate the Kronecker deltas") for s in gradient)
    texts = " ".join(s.text for s in derive("smoothing_gap").steps)
    assert "log-partition" not in texts and "log of the softmax denominator" in texts
