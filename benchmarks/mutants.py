"""Mutation run: plausible mistakes put into a scratch copy of the source; each must be caught.

Each mutant is one or more edits of a scratch copy of the repository's source folders, laid out as
the installed package (``derivcheck/``, ``derivcheck/derivations``, ``derivcheck/simulations`` ...)
and put first on ``PYTHONPATH``, so the real tree and its editable install are never touched. An
edit replaces ``old`` by ``new`` where ``old`` occurs exactly once, in the whole file or, with
``within``, in the body of the function (or class) of that name: anchored on a name and a
distinctive line, an edit survives code moving around it, and when it no longer applies the run
says so in that mutant's row (``caught_by`` null, ``error`` the reason), never by crashing;
``tests/test_mutants.py`` checks every edit against the current tree in a second.

A mutant is caught by ``verify`` when ``python -m derivcheck verify CLAIM...`` exits non-zero
there, else by ``tests`` when its own test selection (the tests that should catch it, not the
suite) fails there, else not at all (``null``). First every selection runs once on the unmutated
copy (``baseline``): one that fails there catches nothing. Not part of the default test run:
``make mutants``.

Run: python benchmarks/mutants.py [--json] [--only NAME ...] [--check-edits]
Output (``--json``): {"total", "caught", "edit_errors", "baseline": {"selections", "failing"},
"mutants": [{"name", "kind", "file", "what", "caught_by", "error", "seconds"}]}.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Repository folder -> its place in the installed package.
LAYOUT = {"derivcheck": "derivcheck", "derivations": "derivcheck/derivations",
          "simulations": "derivcheck/simulations", "grading": "derivcheck/grading", "report": "derivcheck/report"}
#: Seconds one verify or one test selection may take in a scratch copy.
TIMEOUT = 600


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in repository file ``file`` (within the function or class
    ``within`` when given); ``old`` must occur there exactly once."""

    file: str
    old: str
    new: str
    within: str | None = None


@dataclass(frozen=True)
class Mutant:
    name: str
    kind: str  # derivations, simulations, statistics, step checker, page
    what: str
    edits: tuple[Edit, ...]
    claims: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()  # pytest arguments, run when verify does not catch it

    @property
    def file(self) -> str:
        return ", ".join(dict.fromkeys(e.file for e in self.edits))


def E(file: str, old: str, new: str, within: str | None = None) -> Edit:
    return Edit(file, old, new, within)


SIM, CHI, LAYER = "simulations/relu_variance.py", "simulations/chi2_test.py", "simulations/relu_layer.py"
HE, SMOOTH, SOFT = "simulations/he_sigma.py", "simulations/smoothing_gap.py", "simulations/stable_softmax.py"
DER = "grading/derivation.py"
#: The derivation checker's tests without the dev set, whose longest derivations can run out of the
#: judge's wall-clock budget on a loaded machine (then the unmutated baseline fails and nothing counts).
T_DER = ("tests/test_derivation_checking.py", "-k", "not dev_derivation")
T_CHI, T_SIM, T_CAL, T_NEAR = ("tests/test_chi2_test.py", "tests/test_simulations.py", "tests/test_calibration.py",
                               "tests/test_near_miss.py")
T_PROP, T_DERIV, T_SERVE = "tests/test_verify_properties.py", "tests/test_derivations.py", "tests/test_serve.py"
T_BROWSER = "tests/test_serve_browser.py"

MUTANTS: tuple[Mutant, ...] = (
    # --- derivations: the formulas and the printed steps ------------------------------------------
    Mutant("sigma_as_std_both", "derivations", "sigma used as the weights' variance in the derivation (SymPy "
           "Normal std sigma^2) and in the sampler alike: Var[y] = d sigma^4 / 2 claimed and simulated",
           (E("derivations/relu_variance.py", 'Normal("w_1", 0, sigma), Normal("w_2", 0, sigma)',
              'Normal("w_1", 0, sigma**2), Normal("w_2", 0, sigma**2)', "relu_variance"),
            E(LAYER, ".mul_(sigma)", ".mul_(sigma**2)", "sample_weights")),
           ("relu_variance",), (T_SIM, "-k", "weights_have")),
    Mutant("derivation_missing_half", "derivations", "the derivation drops E[ReLU(z)^2] = 1/2 (uses 1)",
           (E("derivations/relu_variance.py", "    half_line, m2 = relu_second_moment_by_symmetry()\n",
              "    half_line, m2 = relu_second_moment_by_symmetry()\n    m2 = sp.Integer(1)\n", "relu_variance"),),
           ("relu_variance",)),
    Mutant("uniform_width_formula", "derivations", "sheet 9: Var[U(-a, a)] taken as a^2/12 (the width formula "
           "applied to the half-width)",
           (E("derivations/uniform_variance.py", "    second_w = uniform_moment(w**2, -a, a)\n",
              "    second_w = uniform_moment(w**2, -a, a) / 4\n", "uniform_variance"),), ("uniform_variance",)),
    Mutant("dropout_rescale_forgotten", "derivations", "sheet 9: Var[h_i] of dropout without the 1/p rescaling",
           (E("derivations/dropout_variance.py", "    result = dropout_var()\n",
              "    result = dropout_var(scale=sp.Integer(1))\n", "dropout_variance"),), ("dropout_variance",)),
    Mutant("logistic_loss_unstable", "derivations", "sheet 9: the logistic loss left as log(1 + e^-t) (exp sees a "
           "positive argument for t < 0)",
           (E("derivations/stable_logistic_loss.py", "split = sp.Max(-t, 0) + sp.log(1 + sp.exp(-sp.Abs(t)))",
              "split = sp.log(1 + sp.exp(-t))"),), ("stable_logistic_loss",)),
    Mutant("he_gave_variance", "derivations", "the derivation answers sigma^2 = 2/d as sigma",
           (E("derivations/he_sigma.py", "        result=root,", "        result=sigma_squared,", "he_sigma"),),
           ("he_sigma",)),
    Mutant("false_step_conditional_variance", "derivations", "a false step printed: E[y^2 | z] = sigma sum ReLU(z_i)^2 "
           "(sigma for sigma^2), the result untouched",
           (E("derivations/relu_variance.py", 'sp.Sum(second_w * sp.Max(0, sp.Indexed("z", i)) ** 2, (i, 1, d))',
              'sp.Sum(sigma * sp.Max(0, sp.Indexed("z", i)) ** 2, (i, 1, d))', "relu_variance"),),
           ("relu_variance",), (T_DERIV, "-k", "every_step")),
    Mutant("false_step_solve", "derivations", "a false step printed: sigma^2 = d/2 while solving, the result untouched",
           (E("derivations/he_sigma.py", 'Step("Solve for the variance of the weights.", eq(sigma**2, sigma_squared))',
              'Step("Solve for the variance of the weights.", eq(sigma**2, 1 / sigma_squared))', "he_sigma"),),
           ("he_sigma",), (T_DERIV, "-k", "every_step")),
    Mutant("false_step_cost", "derivations", "a false step printed: M_train = 3 n L K^2 + n K, the result untouched",
           (E("derivations/training_mults.py", 'Step("Equal widths.", eq(mults, result))',
              'Step("Equal widths.", eq(mults, result + n * K))', "training_mults"),),
           ("training_mults",), (T_DERIV, "-k", "every_step")),
    Mutant("smoothing_gap_drops_one", "derivations", "the gap derived as log(d (1 - eps)/eps) (the 1 + dropped)",
           (E("derivations/smoothing_gap.py", "gap = sp.log(1 + sp.together(sp.simplify(top / rest - 1)))",
              "gap = sp.log(sp.together(sp.simplify(top / rest - 1)))", "smoothing_gap"),), ("smoothing_gap",)),
    Mutant("gradient_sign_flipped", "derivations", "the CE gradient derived as y - z",
           (E("derivations/softmax_ce_gradient.py", "result = onehot.subs(softmax_i, z[i])",
              "result = -onehot.subs(softmax_i, z[i])", "softmax_ce_gradient"),), ("softmax_ce_gradient",)),
    Mutant("training_memory_without_a0", "derivations", "training memory keeps a_1..a_{L-1} (the input a_0 forgotten)",
           (E("derivations/training_memory.py", "kept = live_activations(0, L - 1)", "kept = live_activations(1, L - 1)",
              "training_memory"),), ("training_memory",)),
    Mutant("softmax_shifts_numerator_only", "derivations", "the stable softmax shifts only the numerator",
           (E("derivations/stable_softmax.py", "result = softmax(x, i, m)",
              "result = sp.exp(x[i] - m) / sp.Sum(sp.exp(x[k]), (k, 1, d))", "stable_softmax"),), ("stable_softmax",)),
    # --- simulations: the sampled models and the measurements --------------------------------------
    Mutant("sampler_sigma_as_variance", "simulations", "the sampler draws w with standard deviation sigma^2",
           (E(LAYER, ".mul_(sigma)", ".mul_(sigma**2)", "sample_weights"),), ("relu_variance",)),
    Mutant("estimator_drops_d", "simulations", "the estimate (W / N d)(T / N) written (W / N)(T / N)",
           (E(SIM, "unit=1 / (n * n * dim),", "unit=1 / (n * n),", "layer_check"),), ("relu_variance",)),
    Mutant("factor_test_drops_d", "simulations", "the inputs' factor test divides T by N d instead of N",
           (E(SIM, "law=RectifiedChiSquare(n * dim), unit=1 / n,", "law=RectifiedChiSquare(n * dim), unit=1 / (n * dim),",
              "layer_check"),), ("relu_variance",)),
    Mutant("y_without_weights", "simulations", "y formed as ReLU(z) . ReLU(z) (weights left out)",
           (E(LAYER, "y = torch.linalg.vecdot(w, r)", "y = torch.linalg.vecdot(r, r)", "_sample_layer"),),
           ("relu_variance",)),
    Mutant("z_not_rectified", "simulations", "the sampler forgets the ReLU",
           (E(LAYER, "generator=gen, device=device).clamp_min_(0)", "generator=gen, device=device)", "_sample_layer"),),
           ("relu_variance",)),
    Mutant("factors_out_of_the_verdict", "simulations", "the factor tests (y given z, the inputs) left out of the verdict",
           (E(SIM, 'return {**claim, "passed": claim["passed"] and all(f["passed"] for f in factors),',
              'return {**claim, "passed": claim["passed"],', "layer_check"),), ("relu_variance",),
           (T_PROP, "-k", "sampler_whose_y")),
    Mutant("seed_ignored_for_one_configuration", "simulations", "the configuration d = 256 always draws seed 0's stream",
           (E(SIM, "generator(substream(run.seed, dim, sigma), run.device)",
              "generator(substream(run.seed if dim != 256 else 0, dim, sigma), run.device)", "verify"),),
           ("relu_variance",), (T_PROP, "-k", "every_configuration_draws")),
    Mutant("he_layer_at_the_derived_sigma", "simulations", "he_sigma samples the layer at the derived sigma whatever "
           "is claimed", (E(HE, "sums = sample_layer(n, dim, sigma, generator(", "sums = sample_layer(n, dim, true_sigma, "
                              "generator(", "verify"),), ("he_sigma",), (T_PROP, "-k", "unit_variance_part")),
    Mutant("kaiming_linear", "simulations", "the reference weights drawn with kaiming_normal_'s linear gain",
           (E(HE, 'nonlinearity="relu", generator=gen', 'nonlinearity="linear", generator=gen', "kaiming_weight_test"),),
           ("he_sigma",)),
    Mutant("smoothed_minimum_not_compared", "simulations", "the minimum value no longer compared with H(y_hat)",
           (E(SMOOTH, " + [minimum - entropy_of(dim, eps)]", "", "verify"),), ("smoothing_gap",),
           (T_PROP, "-k", "compares_the_minimum")),
    Mutant("ulps_of_one", "simulations", "the softmax error measured in ulps of 1 instead of ulps of the value",
           (E(SOFT, "np.spacing(np.abs(b))", "np.spacing(np.ones_like(b))", "ulp_distance"),), ("stable_softmax",),
           (T_PROP, "-k", "ulps or small_entries")),
    Mutant("label_smoothing_dropped", "simulations", "autograd's cross-entropy run without label_smoothing",
           (E("simulations/softmax_ce_gradient.py", 'reduction="sum", label_smoothing=eps)', 'reduction="sum")',
              "verify"),), ("softmax_ce_gradient",)),
    Mutant("softmax_shift_supplied", "simulations", "the softmax check supplies the max shift itself instead of "
           "evaluating the derivation's", (E(SOFT, "shift = shift_of(logits)", "shift = logits.amax(dim=-1, keepdim=True)",
                                            "verify"),), ("stable_softmax",), (T_PROP, "-k", "derivations_own")),
    Mutant("smoothed_target_rebuilt", "simulations", "the CE check builds the smoothed target itself",
           (E("simulations/softmax_ce_gradient.py", "target = smoothed(F.one_hot(labels, dim).double(), eps, dim)",
              "target = (1 - eps) * F.one_hot(labels, dim).double() + eps / dim", "verify"),),
           ("softmax_ce_gradient",), (T_PROP, "-k", "derivations_own")),
    Mutant("memory_set_without_a0", "simulations", "training memory measures a_1..a_{L-1} (the input left out)",
           (E("simulations/training_memory.py", "for j in range(first, last + 1)", "for j in range(first + 1, last + 1)",
              "stored"),), ("training_memory",)),
    Mutant("memory_set_typed", "simulations", "training memory measures a set typed in the check, not the "
           "derivation's", (E("simulations/training_memory.py", "first, last = (int(bound(L)) for bound in ranges[key])",
                              "first, last = 0, L - 1 + (key == \"kept_with_output\")", "stored"),),
           ("training_memory",), (T_PROP, "-k", "derivations_own")),
    Mutant("softmax_ulps_1000x", "simulations", "the stable-softmax tolerance loosened 1000x (16 -> 16000 ulps)",
           (E(SOFT, "ULP_TOLERANCE = 16.0", "ULP_TOLERANCE = 16000.0"),), ("stable_softmax",),
           (T_NEAR, "-k", "stable_softmax")),
    Mutant("ce_gradient_tolerance_1000x", "simulations", "the CE-gradient tolerance loosened 1000x",
           (E("simulations/softmax_ce_gradient.py", "TOLERANCE = 1e-12", "TOLERANCE = 1e-9"),),
           ("softmax_ce_gradient",), (T_NEAR, "-k", "softmax_ce_gradient")),
    Mutant("smoothing_tolerance_1000x", "simulations", "the smoothing-gap tolerance loosened 1000x (1e-10 -> 1e-7)",
           (E(SMOOTH, "TOLERANCE = 1e-10", "TOLERANCE = 1e-7"),), (), (T_NEAR, "-k", "smoothing_gap")),
    Mutant("parameters_one_layer", "simulations", "the parameter count takes one layer's weights",
           (E("simulations/mlp_cost.py", "return sum(w.numel() for w in ws)", "return ws[0].numel()",
              "parameter_count"),), ("inference_memory", "training_memory")),
    Mutant("training_weights_from_hooks", "simulations", "training memory takes the weights the hooks saw ((L - 1) K^2)",
           (E("simulations/training_memory.py", "saved.parameters +", "saved.weights +"),), ("training_memory",)),
    Mutant("gradient_ascent", "simulations", "the unsmoothed-minimiser descent steps uphill",
           (E("simulations/unsmoothed_minimizer.py", "x.sub_(grad, alpha=LEARNING_RATE)", "x.add_(grad, alpha=LEARNING_RATE)",
              "descend"),), ("unsmoothed_minimizer",)),
    Mutant("growth_tolerance_1000x", "simulations", "the log-linear growth tolerance loosened 1000x (a bounded gap "
           "would pass)", (E("simulations/unsmoothed_minimizer.py", "TOLERANCE = 0.01", "TOLERANCE = 10.0"),),
           (), (T_SIM, "-k", "unsmoothed_growth")),
    Mutant("forward_counts_flops", "simulations", "forward multiplications counted as FLOPs (scale 2 dropped)",
           (E("simulations/forward_mults.py", "scale=2", "scale=1"),), ("forward_mults",)),
    # --- statistics: the exact tests --------------------------------------------------------------
    Mutant("p_value_inverted_scale", "statistics", "the p-value evaluated at statistic * scale instead of statistic / scale",
           (E(CHI, "u = statistic / scale", "u = statistic * scale", "p_value"),), ("relu_variance",), (T_CHI,)),
    Mutant("p_value_one_sided", "statistics", "a one-sided p-value (twice the upper tail)",
           (E(CHI, "return float(min(1.0, 2 * min(self.law.cdf(u), self.law.sf(u))))",
              "return float(min(1.0, 2 * self.law.sf(u)))", "p_value"),), ("relu_variance",), (T_CHI, T_CAL)),
    Mutant("mixing_ignored", "statistics", "T taken as chi^2 with M / 2 degrees of freedom (binomial mixing ignored)",
           (E(CHI, "        return float(np.dot(w, chi2.cdf(t, k)))", "        return float(chi2.cdf(t, self.draws / 2))",
              "RectifiedChiSquare"),
            E(CHI, "        return float(np.dot(w, chi2.sf(t, k)))", "        return float(chi2.sf(t, self.draws / 2))",
              "RectifiedChiSquare")),
           ("relu_variance",), (T_CHI, "-k", "rectified")),
    Mutant("mixture_truncated", "statistics", "the binomial mixture kept to +-1 standard deviation",
           (E(CHI, "width: float = 10.0", "width: float = 1.0", "RectifiedChiSquare"),), (), (T_CHI, "-k", "rectified")),
    Mutant("product_quadrature_narrow", "statistics", "the product law's quadrature spans +-2 sd of T",
           (E(CHI, "b.mean - 12 * sd), b.mean + 12 * sd", "b.mean - 2 * sd), b.mean + 2 * sd"),), (),
           (T_CHI, "-k", "product")),
    Mutant("mixture_density_off", "statistics", "the mixture density loses its 2^(-k/2) factor",
           (E(CHI, "constant = np.log(w) - half * np.log(2.0) - gammaln(half)", "constant = np.log(w) - gammaln(half)",
              "RectifiedChiSquare"),), ("relu_variance",), (T_CHI, "-k", "product")),
    Mutant("quantile_tail_sign", "statistics", "the quantile solver treats the upper tail as a cdf",
           (E(CHI, "sign = 1.0 if prob == law.cdf else -1.0", "sign = 1.0", "_log_newton"),), ("relu_variance",),
           (T_CHI,)),
    Mutant("bonferroni_dropped", "statistics", "every relu_variance test at level alpha (no Bonferroni)",
           (E(SIM, "alpha=run.alpha / (TESTS * len(configs))", "alpha=run.alpha", "verify"),), (),
           (T_SIM, "-k", "alpha_is_the_stated_level and relu")),
    Mutant("he_bonferroni_two_tests", "statistics", "he_sigma splits alpha over two tests per d (four are run)",
           (E(HE, "level = run.alpha / ((TESTS + 1) * len(dimensions))", "level = run.alpha / (2 * len(dimensions))",
              "verify"),), (), (T_SIM, "-k", "alpha_is_the_stated_level and he")),
    Mutant("bonferroni_p_by_configurations", "statistics", "the reported p-value multiplied by the number of "
           "configurations instead of tests",
           (E(SIM, "p_value=min(1.0, len(p_values) * min(p_values))", "p_value=min(1.0, len(records) * min(p_values))",
              "summarize"),), (), (T_PROP, "-k", "reported_p_value")),
    Mutant("interval_ends_swapped", "statistics", "the confidence interval's endpoints swapped",
           (E(CHI, "return statistic / hi, statistic / lo", "return statistic / lo, statistic / hi", "interval"),),
           ("relu_variance",), (T_PROP, "-k", "intervals_are_ordered or near_miss_answer")),
    Mutant("power_at_the_reciprocal", "statistics", "power computed at the reciprocal alternative",
           (E(SIM, "test.power(value / scale_unit, truth / scale_unit)", "test.power(truth / scale_unit, value / scale_unit)",
              "scale_check"),), (), (T_PROP, "-k", "stated_power_of_a_mistake")),
    Mutant("power_at_the_wrong_scale", "statistics", "power computed without dividing by the law's scale",
           (E(SIM, "test.power(value / scale_unit, truth / scale_unit)", "test.power(value, truth / scale_unit)",
              "scale_check"),), (), (T_PROP, "-k", "stated_power_of_a_mistake")),
    Mutant("combined_power_wrong", "statistics", "combined power multiplies powers instead of miss probabilities",
           (E(CHI, "miss *= 1.0 - p", "miss *= p", "combined_power"),), (), (T_CHI, "-k", "combined")),
    # --- grading's step checker -------------------------------------------------------------------
    Mutant("half_moment_doubled", "step checker", "the moment rule E[X^k 1{X>0}] loses its factor 1/2",
           (E("grading/laws.py", "tails = [sp.erfc(c / sp.sqrt(2)) / 2, phi]", "tails = [sp.erfc(c / sp.sqrt(2)), phi]"),), (),
           T_DER),
    Mutant("normal_mean_one", "step checker", "the normal law's first moment taken as 1 instead of its mean",
           (E("grading/laws.py", "m = [sp.Integer(1), mean]", "m = [sp.Integer(1), sp.Integer(1)]"),),
           (), ("tests/test_laws.py", *T_DER)),
    Mutant("random_number_allowed", "step checker", "a number next to a random quantity is accepted",
           (E("grading/lines.py", "                if ra != rb:\n", "                if False:\n", "compare"),), (), T_DER),
    Mutant("condition_ignored", "step checker", "E[X | z] integrates z out as well",
           (E("grading/unroll.py", 'keep = {s for s in self.random if s.name in names or s.name.rsplit("_", 1)[0] in names}',
              "keep: set = set()", "expect"),), (), T_DER),
    Mutant("chain_rule_always", "step checker", "the naive derivative is the true one (missing_chain_rule never named)",
           (E("grading/unroll.py", "naive_diff(f, var) if self.naive else sp.diff(f, var)", "sp.diff(f, var)",
              "_value"),), (), T_DER),
    Mutant("wrong_line_right_answer_correct", "step checker", "a right final statement makes the derivation correct "
           "whatever its wrong lines", (E(DER, 'verdict = "incorrect" if wrong else',
                                          'verdict = "correct" if wrong else', "_combine"),), (), T_DER),
    Mutant("first_wrong_is_first_ok", "step checker", "first_wrong points at the first ok line",
           (E(DER, 'if r["verdict"] == "wrong"), None)', 'if r["verdict"] == "ok"), None)', "check_derivation"),),
           (), T_DER),
    Mutant("leaked_index_allowed", "step checker", "an index used outside its sum is not a wrong line",
           (E(DER, "    if cur.leaked:\n", "    if False:\n", "_judge_piece"),), (), T_DER),
    # --- the self-check page's verdict path ---------------------------------------------------------
    Mutant("page_caches_by_question", "page", "the page's check cache keyed by the question alone",
           (E("derivcheck/web/service.py", "self._checks.put(key, record)",
              "self._checks.put(key, record)\n        self._checks.put((key[0], key[1], \"\"), record)",
              "_check_done"),
            E("derivcheck/web/service.py", "cached = self._checks.get(key)",
              "cached = self._checks.get((key[0], question_id, \"\"))", "check_async")), (),
           (T_SERVE, "-k", "check_is_the_check_json")),
    Mutant("page_marks_status_not_verdict", "page", "each line's mark taken from its status, not its verdict",
           (E("derivcheck/web/static/app.js", "item.dataset.verdict = step.verdict;", "item.dataset.verdict = step.status;",
              "renderResult"),), (), (T_BROWSER, "-k", "derivation")),
)

def scratch_copy(dest: Path) -> Path:
    """The source folders under ``dest/src`` in the package layout, and the tests under ``dest``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder, place in LAYOUT.items():
        shutil.copytree(ROOT / folder, dest / "src" / place, ignore=ignore, dirs_exist_ok=True)
    shutil.copytree(ROOT / "tests", dest / "tests", ignore=ignore)
    for name in ("pyproject.toml",):
        shutil.copy(ROOT / name, dest / name)
    return dest / "src"


def _block(text: str, name: str) -> tuple[int, int] | None:
    """(start, end) of the body of the Python or JavaScript function or class ``name``: from its
    ``def``/``function``/``class`` line to the next line indented no deeper that is not a closing
    bracket; None when there is no such definition, or more than one."""
    starts = list(re.finditer(rf"^([ \t]*)(?:async\s+)?(?:def|function|class)\s+{re.escape(name)}\b",
                                     text, re.MULTILINE))
    if len(starts) != 1:
        return None
    m = starts[0]
    indent = len(m.group(1).expandtabs())
    pos = text.index("\n", m.end()) + 1 if "\n" in text[m.end():] else len(text)
    while pos < len(text):
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= indent and not stripped.startswith((")", "]", "}")):
            return m.start(), pos
        pos = len(text) if end < 0 else end + 1
    return m.start(), len(text)


def source_path(src: Path, file: str) -> Path:
    folder, _, rest = file.partition("/")
    return src / LAYOUT[folder] / rest


def edited(text: str, edit: Edit) -> str:
    """``text`` with ``edit`` made; ValueError (the reason) when it does not apply exactly once."""
    lo, hi = 0, len(text)
    if edit.within is not None:
        span = _block(text, edit.within)
        if span is None:
            raise ValueError(f"{edit.file}: no single definition of {edit.within!r}")
        lo, hi = span
    count = text.count(edit.old, lo, hi)
    if count != 1:
        where = f"{edit.within!r} of {edit.file}" if edit.within else edit.file
        raise ValueError(f"{edit.old[:60]!r} occurs {count} times in {where}")
    at = text.index(edit.old, lo, hi)
    return text[:at] + edit.new + text[at + len(edit.old):]


def apply(src: Path, mutant: Mutant) -> None:
    """Make every edit of ``mutant`` in the copy under ``src`` (ValueError: the first that fails)."""
    texts: dict[Path, str] = {}
    for e in mutant.edits:
        path = source_path(src, e.file)
        if path not in texts:
            if not path.is_file():
                raise ValueError(f"{e.file} does not exist")
            texts[path] = path.read_text()
        texts[path] = edited(texts[path], e)
    for path, text in texts.items():
        path.write_text(text)


def edit_errors(root: Path = ROOT) -> dict[str, str]:
    """Mutant name -> why its edits do not apply to the tree at ``root`` (none: every edit applies)."""
    errors = {}
    for m in MUTANTS:
        texts: dict[str, str] = {}
        try:
            for e in m.edits:
                folder, _, rest = e.file.partition("/")
                if e.file not in texts:
                    path = root / folder / rest
                    if not path.is_file():
                        raise ValueError(f"{e.file} does not exist")
                    texts[e.file] = path.read_text()
                new = edited(texts[e.file], e)
                if new == texts[e.file]:
                    raise ValueError(f"{e.file}: the edit changes nothing")
                texts[e.file] = new
        except ValueError as err:
            errors[m.name] = str(err)
    return errors


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = TIMEOUT) -> int:
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return 124


def baseline(mutants: list[Mutant]) -> dict[str, bool]:
    """Whether each selection passes on the unmutated tree (``verify`` for the claims, then each
    distinct test selection): a mutant counts as caught only by a selection that passes here."""
    passes: dict[str, bool] = {}
    with tempfile.TemporaryDirectory(prefix="derivcheck-baseline-") as tmp:
        work = Path(tmp)
        src = scratch_copy(work)
        env = {**os.environ, "PYTHONPATH": str(src), "DERIVCHECK_CACHE": str(work / "cache")}
        claims = sorted({c for m in mutants for c in m.claims})
        passes["verify"] = run([sys.executable, "-m", "derivcheck", "verify", *claims, "--device", "cpu", "--quiet"],
                               work, env) == 0
        for tests in dict.fromkeys(m.tests for m in mutants if m.tests):
            passes[" ".join(tests)] = run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                                          work, env) == 0
    return passes


def judge(mutant: Mutant, clean: dict[str, bool] | None = None) -> dict[str, object]:
    """Apply ``mutant`` in a fresh scratch copy and run its selection: its row of the output.
    ``clean`` (from :func:`baseline`) says which selections pass unmutated: a failure of one that
    does not is not a catch."""
    row: dict[str, object] = {"name": mutant.name, "kind": mutant.kind, "file": mutant.file, "what": mutant.what,
                              "caught_by": None, "error": None}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="derivcheck-mutant-") as tmp:
        work = Path(tmp)
        src = scratch_copy(work)
        try:
            apply(src, mutant)
        except ValueError as err:
            row["error"] = f"edit does not apply: {err}"
            return row
        env = {**os.environ, "PYTHONPATH": str(src), "DERIVCHECK_CACHE": str(work / "cache")}
        probe = subprocess.run([sys.executable, "-c", "import derivcheck.simulations as s; print(s.__file__)"],
                               env=env, capture_output=True, text=True, cwd=work).stdout.strip()
        if not probe.startswith(str(src)):
            row["error"] = f"the scratch copy is not the one imported: {probe!r}"
            return row
        clean = clean or {}
        if mutant.claims and clean.get("verify", True) and run(
                [sys.executable, "-m", "derivcheck", "verify", *mutant.claims, "--device", "cpu", "--quiet"],
                work, env) != 0:
            row["caught_by"] = "verify"
        elif mutant.tests and clean.get(" ".join(mutant.tests), True) and run(
                [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests],
                work, env) not in (0, 5):
            row["caught_by"] = "tests"  # 5: no test selected, which catches nothing
        if row["caught_by"] is None and not all(clean.get(k, True) for k in ("verify", " ".join(mutant.tests))):
            row["error"] = "its selection fails on the unmutated tree"
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", nargs="*", help="run only these mutants")
    parser.add_argument("--check-edits", action="store_true", help="only check that every edit applies (fast)")
    parser.add_argument("--no-baseline", action="store_true", help="skip running the selections unmutated first")
    args = parser.parse_args()
    if args.check_edits:
        errors = edit_errors()
        for name, why in errors.items():
            print(f"{name}: {why}")
        print(f"{len(MUTANTS) - len(errors)} of {len(MUTANTS)} mutants' edits apply")
        raise SystemExit(1 if errors else 0)
    unknown = set(args.only or ()) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    clean = {} if args.no_baseline else baseline(chosen)
    failing = [k for k, ok in clean.items() if not ok]
    print(f"baseline: {len(clean) - len(failing)} of {len(clean)} selections pass unmutated"
          + (f"; failing: {', '.join(failing)}" if failing else ""), file=sys.stderr, flush=True)
    rows = []
    for m in chosen:
        row = judge(m, clean)
        rows.append(row)
        print(f"{m.name:36s} {row['caught_by'] or 'NOT CAUGHT'}  {row['error'] or ''}", file=sys.stderr, flush=True)
    result = {"total": len(rows), "caught": sum(r["caught_by"] is not None for r in rows),
              "edit_errors": sum(r["error"] is not None for r in rows),
              "baseline": {"selections": len(clean), "failing": failing}, "mutants": rows}
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(str(r["name"])) for r in rows)
        print(f"{'mutant':{width}s}  {'kind':13s}  caught by   file")
        for r in rows:
            print(f"{r['name']!s:{width}s}  {r['kind']!s:13s}  {r['caught_by'] or 'NOT CAUGHT'!s:10s}  {r['file']}"
                  + (f"  ({r['error']})" if r["error"] else ""))
        print(f"\n{result['caught']} of {result['total']} caught; {result['edit_errors']} edits did not apply")


if __name__ == "__main__":
    main()
