"""Properties of every verification record, each written so that a plausible bug of its kind fails it.

- a sampler whose outputs y are wrong (the weights' and inputs' sums right) fails ``verify``;
- every configuration's draws depend on the seed;
- the reported p-value is its definition (Bonferroni over every test run), intervals are ordered
  and contain their estimate;
- the power a record states against a named mistake is the rejection rate observed when that
  mistake is claimed, at a ratio below 1 and one above (where power(r) != power(1/r));
- each verifier tests what only it measures: he_sigma's unit-variance part rejects every wrong
  sigma by itself, smoothing_gap compares the minimum value, stable_softmax counts ulps of the value.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
from scipy.stats import binomtest

from derivcheck import claims
from derivcheck.derivations import claim_ids, derive
from derivcheck.simulations import relu_variance as rv
from derivcheck.simulations import verify
from derivcheck.simulations.relu_layer import LayerSums

CPU = torch.device("cpu")
SMALL = {"draws": 1 << 14, "configs": ((64, 0.5), (256, 1.7))}


# --- y itself is tested -------------------------------------------------------------------

def sampler_with_y(form):
    """A sampler that draws w and z as the model says but forms y with ``form(w, relu_z, z)``."""
    def sample(samples: int, dim: int, sigma: float, gen: torch.Generator, device: torch.device) -> LayerSums:
        z = torch.randn(samples, dim, generator=gen, device=device, dtype=torch.float64)
        r = z.clamp_min(0)
        w = torch.randn(samples, dim, generator=gen, device=device, dtype=torch.float64) * sigma
        s = (r * r).sum(-1)
        y = form(w, r, z)
        keep = s > 0
        return LayerSums(samples, dim, float(w.square().sum()), float(s.sum()),
                         float((y[keep].square() / s[keep]).sum()), int(keep.sum()),
                         float(y.square().sum()), float(y.pow(4).sum()))
    return sample


@pytest.mark.parametrize("name,form", [
    ("right", lambda w, r, z: (w * r).sum(-1)),
    ("relu_forgotten_in_y", lambda w, r, z: (w * z).sum(-1)),
    ("y_scaled_3pct", lambda w, r, z: 1.03 * (w * r).sum(-1)),
])
def test_a_sampler_whose_y_is_wrong_fails_verify(monkeypatch, name, form):
    """W and T are drawn right; only y is formed wrong: the verdict must see it."""
    monkeypatch.setattr(rv, "sample_layer", sampler_with_y(form))
    check = verify("relu_variance", seed=4, device="cpu", configs=rv.CONFIGS[:2])
    assert check.passed == (name == "right"), check.details["configs"][0]["factors"]
    plain = [c["plain"] for c in check.details["configs"]]
    truth = [rv.formula(derive("relu_variance").result)(c["d"], c["sigma"]) for c in check.details["configs"]]
    # The plain mean(y^2) is reported beside W T; under the right y its interval holds the truth.
    if name == "right":
        assert all(p["interval"][0] <= t <= p["interval"][1] for p, t in zip(plain, truth, strict=True))


def test_plain_estimate_is_reported_beside_the_product_estimate():
    check = verify("relu_variance", seed=0, device="cpu", **SMALL)
    for c in check.details["configs"]:
        p = c["plain"]
        assert p["quantity"] == "mean(y^2)" and p["interval"][0] < p["estimate"] < p["interval"][1]
        assert p["estimate"] == pytest.approx(c["estimate"], rel=0.2)


# --- seeds ----------------------------------------------------------------------------------

#: Faster settings of the Monte Carlo checks (any other random claim runs with its defaults).
FAST = {"relu_variance": SMALL, "he_sigma": {"draws": 1 << 14}}


def per_configuration(details: dict) -> tuple[list[dict], str]:
    """A random check's configurations (``details["configs"]`` or ``details["cases"]``) and the
    value each reports of its draws (``mean_draw``, else its ``estimate``)."""
    rows = details.get("configs") or details.get("cases") or []
    return rows, ("mean_draw" if rows and "mean_draw" in rows[0] else "estimate")


@pytest.mark.parametrize("claim", [c.id for c in claims.of() if c.random])
def test_every_configuration_draws_from_the_seed(claim):
    """Every configuration (not only the headline) draws other inputs under another seed."""
    options = FAST.get(claim, {})
    (a, key), (b, _) = (per_configuration(verify(claim, seed=s, device="cpu", **options).details) for s in (0, 1))
    assert len(a) == len(b) > 1, "a random check lists its configurations under configs or cases"
    same = [k for k, (x, y) in enumerate(zip(a, b, strict=True)) if x[key] == y[key]]
    assert not same, f"configurations {same} of {claim} ignore the seed"


# --- p-values and intervals -----------------------------------------------------------------

def p_values_of_every_test(details: dict) -> list[float]:
    """Every p-value of every test a Monte Carlo record ran (claims, factors, references)."""
    return [p for c in details["configs"] for p in (c["p_value"], *(f["p_value"] for f in c.get("factors", ())))]


@pytest.mark.parametrize("claim", ["relu_variance", "he_sigma"])
def test_reported_p_value_is_bonferroni_over_every_test(claim):
    """p = min(1, (number of tests) x (smallest p)), checked where it is below 1 too."""
    below_one = 0
    for seed in range(12):
        options = {"draws": 1 << 10, "configs": ((16, 0.7), (64, 1.3))} if claim == "relu_variance" else \
            {"draws": 1 << 10, "dimensions": (16, 64)}
        check = verify(claim, seed=seed, device="cpu", **options)
        ps = p_values_of_every_test(check.details)
        assert len(ps) == (6 if claim == "relu_variance" else 8)
        assert check.p_value == pytest.approx(min(1.0, len(ps) * min(ps)), rel=1e-12)
        below_one += check.p_value < 1
    assert below_one >= 1, "no seed gave a p-value below 1: the test would not see a wrong multiplier"


def intervals_of(record) -> list[tuple[float, tuple[float, float]]]:
    pairs = [(record.estimate, record.interval)]
    pairs += [(m.estimate, m.interval) for m in record.measurements]
    for c in record.details.get("configs", ()):
        pairs.append((c["estimate"], tuple(c["interval"])))
        pairs += [(f["estimate"], tuple(f["interval"])) for f in c.get("factors", ())]
    return pairs


@pytest.mark.parametrize("claim", claim_ids())
def test_intervals_are_ordered_and_contain_their_estimate(claim):
    options = SMALL if claim == "relu_variance" else {"draws": 1 << 14} if claim == "he_sigma" else {}
    record = verify(claim, seed=2, device="cpu", **options)
    for estimate, (lo, hi) in intervals_of(record):
        assert lo <= estimate <= hi, (claim, estimate, lo, hi)
        assert lo < hi or lo == hi == estimate


def test_a_near_miss_answer_is_refuted_by_the_interval_not_the_reverse():
    """The interval excludes a value 1% off on both sides at the default size (so an interval
    with swapped ends, which excludes everything, or one that is too wide, fails)."""
    check = verify("relu_variance", seed=0, device="cpu")
    m = check.measurements[0]
    assert m.confront(m.prediction, m.prediction)["refutes"] is False
    assert m.confront(1.01 * m.prediction, m.prediction)["refutes"] is True
    assert m.confront(0.99 * m.prediction, m.prediction)["refutes"] is True


# --- stated power against observed rejections -------------------------------------------------

@pytest.mark.parametrize("mistake", ["used_relu_variance", "sigma_as_variance"])
def test_stated_power_of_a_mistake_is_its_observed_rejection_rate(mistake):
    """At (d, sigma) = (16, 0.7) the two mistakes are Var[y] x 0.68 and x 1/0.7 = 1.43, a ratio and
    about its reciprocal, whose powers differ: the record's power (computed with the derived
    formula as the truth) must match the rate at which the claim test rejects the mistake."""
    size = {"draws": 1 << 8, "configs": ((16, 0.7),), "alpha": 3 * 0.05}
    stated = verify("relu_variance", seed=0, device="cpu", **size).details["configs"][0]["power"]
    assert 0.1 < stated[mistake] < 0.95
    assert abs(stated["used_relu_variance"] - stated["sigma_as_variance"]) > 0.05
    wrong = derive("relu_variance").mistakes[mistake]
    runs = 300
    observed = sum(not verify("relu_variance", seed=s, device="cpu", claimed=wrong, **size)
                   .details["configs"][0]["claim_passed"] for s in range(runs))
    assert binomtest(observed, runs, stated[mistake]).pvalue > 1e-3, (observed, stated[mistake])


# --- what only each verifier measures ---------------------------------------------------------

@pytest.mark.parametrize("mistake", sorted(derive("he_sigma").mistakes))
def test_he_sigma_unit_variance_part_rejects_each_wrong_sigma_by_itself(mistake):
    """The layer is sampled at the claimed sigma: Var[y] = 1 fails there for every wrong sigma,
    whatever the kaiming reference test says."""
    check = verify("he_sigma", seed=3, device="cpu", claimed=derive("he_sigma").mistakes[mistake])
    unit = [c for c in check.details["configs"] if c["test"] == "Var[y] at sigma(d)"]
    assert len(unit) == 4 and not any(c["claim_passed"] for c in unit)
    right = verify("he_sigma", seed=3, device="cpu")
    assert all(c["claim_passed"] for c in right.details["configs"] if c["test"] == "Var[y] at sigma(d)")


def test_he_sigma_unit_variance_part_samples_at_the_claimed_sigma():
    """A sigma 1% off passes nothing of the unit-variance tests' level by luck: the measured
    Var[y] follows the claimed sigma (x 1.0201), not the derived one."""
    check = verify("he_sigma", seed=0, device="cpu", claimed=1.01 * derive("he_sigma").result)
    unit = [c for c in check.details["configs"] if c["test"] == "Var[y] at sigma(d)"]
    assert all(c["estimate"] == pytest.approx(1.0201, rel=0.01) for c in unit)


def test_smoothing_gap_compares_the_minimum_value():
    """The gap right but the minimum value wrong (H(y_hat) + 1e-6): refuted."""
    entropy = derive("smoothing_gap").extras["entropy"]
    assert verify("smoothing_gap", seed=0, device="cpu").passed
    assert not verify("smoothing_gap", seed=0, device="cpu", claimed_minimum=entropy + sp.Float(1e-6)).passed
    assert not verify("smoothing_gap", seed=0, device="cpu", claimed_minimum=entropy * (1 + sp.Float(1e-8))).passed


@pytest.mark.parametrize("magnitude", [1.0, 1e-5, 1e-30, 1e-200, 1e-300])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ulps_are_counted_relative_to_the_value(magnitude, dtype):
    """k units in the last place of the value itself are k ulps, at every magnitude."""
    from derivcheck.simulations.stable_softmax import ulp_distance

    if dtype == np.float32 and magnitude < 1e-30:
        pytest.skip("below float32's normal range")
    ref = np.array([magnitude, 0.5 * magnitude], dtype=dtype)
    for k in (1, 7, 40):
        value = ref + k * np.spacing(ref)
        assert ulp_distance(torch.from_numpy(value), torch.from_numpy(ref)) == pytest.approx(k, rel=1e-6)


def test_stable_softmax_refutes_an_error_only_small_entries_show():
    """z (1 + 1e-13 (1 - z)^40): under 1 float64 ulp of 1 everywhere, but hundreds of ulps of the
    small entries themselves. Needs logits whose softmax has small entries, and ulps of the value."""
    result = derive("stable_softmax").result
    near = result * (1 + sp.Float(1e-13) * (1 - result) ** 40)
    assert verify("stable_softmax", seed=0, device="cpu").passed
    assert not verify("stable_softmax", seed=0, device="cpu", claimed=near).passed


def test_deterministic_checks_say_exact():
    for claim in claim_ids():
        record = verify(claim, seed=0, device="cpu", **(SMALL if claim == "relu_variance" else
                                                         {"draws": 1 << 14} if claim == "he_sigma" else {}))
        assert record.to_dict()["check"] == ("exact" if record.alpha == 0 else "statistical"), claim
        if record.alpha == 0:
            assert math.isfinite(record.details["tolerance"]) if "tolerance" in record.details else True


# --- exact checks take their quantity from the derivation -------------------------------------

def with_extra(claim: str, key: str, value):
    from dataclasses import replace

    original = derive(claim)
    return replace(original, extras={**original.extras, key: value})


def wrong_extras():
    from derivcheck.derivations.stable_softmax import MaxOver
    from derivcheck.derivations.symbols import L, d, eps, i, k, x, y

    return [("stable_softmax", "shift", -MaxOver(-x[k], k)),  # the minimum: exponents go positive
            ("softmax_ce_gradient", "smoothed_target", (1 - eps) * y[i] + eps / (d - 1)),
            ("training_memory", "kept", (sp.Integer(1), L - 1))]


@pytest.mark.parametrize("case", range(3))
def test_exact_checks_measure_the_derivations_own_quantity(monkeypatch, case):
    """The softmax's shift, the smoothed target and the memory set are read from the derivation:
    a derivation that says another one fails its own check."""
    import importlib

    claim, key, value = wrong_extras()[case]
    module = importlib.import_module(f"derivcheck.simulations.{claim}")
    fake = with_extra(claim, key, value)
    monkeypatch.setattr(module, "derive", lambda c: fake if c == claim else derive(c))
    assert not verify(claim, seed=0, device="cpu").passed


def test_training_memory_counts_the_saved_layer_inputs():
    """Autograd keeps every a_0..a_L; the check counts a_0..a_{L-1} (the derivation's set)."""
    from derivcheck.simulations.mlp_cost import saved_for_backward

    saved = saved_for_backward(3, 4, 5)
    assert saved.layers == (15,) * 5
    record = verify("training_memory", seed=0, device="cpu")
    assert "a_0, ..., a_{L-1}" in record.measurements[0].quantity
