"""Mutation run: plausible mistakes put into a scratch copy of the source; each must be caught.

Each mutant is one or more exact string replacements (each must match exactly once) in a scratch
copy of the repository's source folders, laid out as the installed package (``derivcheck/``,
``derivcheck/derivations``, ``derivcheck/simulations`` ...) and put first on ``PYTHONPATH``, so
the real tree and its editable install are never touched. A mutant is caught by ``verify`` when
``python -m derivcheck verify CLAIM...`` exits non-zero there, else by ``tests`` when the named
test selection fails there, else not at all (``null``). Not part of the default test run.

Run: python benchmarks/mutants.py [--json] [--only NAME ...]
Output (``--json``): {"total", "caught", "mutants": [{"name", "file", "what", "caught_by"}]}.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Repository folder -> its place in the installed package.
LAYOUT = {"derivcheck": "derivcheck", "derivations": "derivcheck/derivations",
          "simulations": "derivcheck/simulations", "grading": "derivcheck/grading", "report": "derivcheck/report"}


@dataclass(frozen=True)
class Mutant:
    name: str
    what: str
    edits: tuple[tuple[str, str, str], ...]  # (repository file, old, new)
    claims: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()  # pytest arguments, run when verify does not catch it
    keys: tuple[str, ...] = field(default=())

    @property
    def file(self) -> str:
        return ", ".join(dict.fromkeys(f for f, _, _ in self.edits))


SIM, CHI = "simulations/relu_variance.py", "simulations/chi2_test.py"
T_DER = "tests/test_derivation_checking.py"
T_CHI, T_SIM, T_CAL, T_NEAR = "tests/test_chi2_test.py", "tests/test_simulations.py", "tests/test_calibration.py", "tests/test_near_miss.py"

MUTANTS: tuple[Mutant, ...] = (
    Mutant("sigma_as_std_both", "sigma used as the weights' variance in the derivation (SymPy Normal std sigma^2) "
           "and in the sampler alike: Var[y] = d sigma^4 / 2 claimed and simulated",
           (("derivations/relu_variance.py", 'Normal("w_1", 0, sigma), Normal("w_2", 0, sigma)',
             'Normal("w_1", 0, sigma**2), Normal("w_2", 0, sigma**2)'),
            ("simulations/relu_layer.py", ".mul_(sigma)", ".mul_(sigma**2)")),
           ("relu_variance",), (T_SIM, "-k", "weights_have")),
    Mutant("sampler_sigma_as_variance", "the sampler draws w with standard deviation sigma^2",
           (("simulations/relu_layer.py", ".mul_(sigma)", ".mul_(sigma**2)"),), ("relu_variance",)),
    Mutant("derivation_missing_half", "the derivation drops E[ReLU(z)^2] = 1/2 (uses 1)",
           (("derivations/relu_variance.py", '    m2 = second_moment("relu")\n', "    m2 = sp.Integer(1)\n"),),
           ("relu_variance",)),
    Mutant("estimator_drops_d", "the estimate (W / N d)(T / N) written (W / N)(T / N)",
           ((SIM, "unit=1 / (n * n * dim),\n                        prediction=prediction, wrong=wrong",
             "unit=1 / (n * n),\n                        prediction=prediction, wrong=wrong"),), ("relu_variance",)),
    Mutant("factor_test_drops_d", "the inputs' factor test divides T by N d instead of N",
           ((SIM, "law=RectifiedChiSquare(n * dim), unit=1 / n,", "law=RectifiedChiSquare(n * dim), unit=1 / (n * dim),"),),
           ("relu_variance",)),
    Mutant("y_without_weights", "y formed as ReLU(z) . ReLU(z) (weights left out)",
           (("simulations/relu_layer.py", "y = torch.linalg.vecdot(w, r)", "y = torch.linalg.vecdot(r, r)"),),
           ("relu_variance",)),
    Mutant("z_not_rectified", "the sampler forgets the ReLU",
           (("simulations/relu_layer.py", "generator=gen, device=device).clamp_min_(0)", "generator=gen, device=device)"),),
           ("relu_variance",)),
    Mutant("p_value_inverted_scale", "the p-value evaluated at statistic * scale instead of statistic / scale",
           ((CHI, "u = statistic / scale", "u = statistic * scale"),), ("relu_variance",), (T_CHI,)),
    Mutant("p_value_one_sided", "a one-sided p-value (twice the upper tail)",
           ((CHI, "return float(min(1.0, 2 * min(self.law.cdf(u), self.law.sf(u))))",
             "return float(min(1.0, 2 * self.law.sf(u)))"),), ("relu_variance",), (T_CHI, T_CAL)),
    Mutant("mixing_ignored", "T taken as chi^2 with M / 2 degrees of freedom (binomial mixing ignored)",
           ((CHI, "        return float(np.dot(w, chi2.cdf(t, k)))", "        return float(chi2.cdf(t, self.draws / 2))"),
            (CHI, "        return float(np.dot(w, chi2.sf(t, k)))", "        return float(chi2.sf(t, self.draws / 2))")),
           ("relu_variance",), (T_CHI, "-k", "rectified")),
    Mutant("mixture_truncated", "the binomial mixture kept to +-1 standard deviation",
           ((CHI, "width: float = 10.0", "width: float = 1.0"),), (), (T_CHI, "-k", "rectified")),
    Mutant("product_quadrature_narrow", "the product law's quadrature spans +-2 sd of T",
           ((CHI, "b.mean - 12 * sd), b.mean + 12 * sd", "b.mean - 2 * sd), b.mean + 2 * sd"),), (),
           (T_CHI, "-k", "product")),
    Mutant("bonferroni_dropped", "every relu_variance test at level alpha (no Bonferroni)",
           ((SIM, "alpha=run.alpha / (TESTS * len(configs))", "alpha=run.alpha"),), (),
           (T_SIM, "-k", "alpha_is_the_stated_level and relu")),
    Mutant("he_bonferroni_two_tests", "he_sigma splits alpha over two tests per d (four are run)",
           (("simulations/he_sigma.py", "level = run.alpha / ((TESTS + 1) * len(dimensions))",
             "level = run.alpha / (2 * len(dimensions))"),), (), (T_SIM, "-k", "alpha_is_the_stated_level and he")),
    Mutant("combined_power_wrong", "combined power multiplies powers instead of miss probabilities",
           ((CHI, "miss *= 1.0 - p", "miss *= p"),), (), (T_CHI, "-k", "combined")),
    Mutant("kaiming_linear", "the reference weights drawn with kaiming_normal_'s linear gain",
           (("simulations/he_sigma.py", 'nonlinearity="relu", generator=gen', 'nonlinearity="linear", generator=gen'),),
           ("he_sigma",)),
    Mutant("he_gave_variance", "the derivation answers sigma^2 = 2/d as sigma",
           (("derivations/he_sigma.py", "        result=root,", "        result=sigma_squared,"),), ("he_sigma",)),
    Mutant("softmax_ulps_1000x", "the stable-softmax tolerance loosened 1000x (16 -> 16000 ulps)",
           (("simulations/stable_softmax.py", "ULP_TOLERANCE = 16.0", "ULP_TOLERANCE = 16000.0"),),
           ("stable_softmax",), (T_NEAR, "-k", "stable_softmax")),
    Mutant("ce_gradient_tolerance_1000x", "the CE-gradient tolerance loosened 1000x",
           (("simulations/softmax_ce_gradient.py", "TOLERANCE = 1e-12", "TOLERANCE = 1e-9"),),
           ("softmax_ce_gradient",), (T_NEAR, "-k", "softmax_ce_gradient")),
    Mutant("smoothing_tolerance_1000x", "the smoothing-gap tolerance loosened 1000x",
           (("simulations/smoothing_gap.py", "TOLERANCE = 1e-6", "TOLERANCE = 1e-3"),),
           (), (T_NEAR, "-k", "smoothing_gap")),
    Mutant("parameters_one_layer", "the parameter count takes one layer's weights",
           (("simulations/mlp_cost.py", "return sum(w.numel() for w in ws)", "return ws[0].numel()"),),
           ("inference_memory", "training_memory")),
    Mutant("training_weights_from_hooks", "training memory takes the weights the hooks saw ((L - 1) K^2)",
           (("simulations/training_memory.py", "return saved.parameters + saved.activations",
             "return saved.weights + saved.activations"),), ("training_memory",)),
    Mutant("gradient_ascent", "the unsmoothed-minimiser descent steps uphill",
           (("simulations/unsmoothed_minimizer.py", "x -= LEARNING_RATE * grad", "x += LEARNING_RATE * grad"),),
           ("unsmoothed_minimizer",)),
    Mutant("growth_tolerance_1000x", "the log-linear growth tolerance loosened 1000x (a bounded gap would pass)",
           (("simulations/unsmoothed_minimizer.py", "TOLERANCE = 0.01", "TOLERANCE = 10.0"),),
           (), (T_SIM, "-k", "unsmoothed_growth")),
    Mutant("forward_counts_flops", "forward multiplications counted as FLOPs (scale 2 dropped)",
           (("simulations/forward_mults.py", "QUANTITY, scale=2, claimed=claimed)", "QUANTITY, scale=1, claimed=claimed)"),),
           ("forward_mults",)),
    # The derivation checker (grading): each mutant must fail the derivation tests.
    Mutant("half_moment_doubled", "the moment rule E[X^k 1{X>0}] loses its factor 1/2",
           (("grading/probability.py", "/ (2 * sp.sqrt(sp.pi))", "/ sp.sqrt(sp.pi)"),), (), (T_DER,)),
    Mutant("normal_mean_one", "the normal law's first moment taken as 1 instead of its mean",
           (("grading/probability.py", "m = [sp.Integer(1), self.mean]", "m = [sp.Integer(1), sp.Integer(1)]"),),
           (), (T_DER,)),
    Mutant("random_number_allowed", "a number next to a random quantity is accepted",
           (("grading/derivation.py", "                if ra != rb:\n", "                if False:\n"),), (), (T_DER,)),
    Mutant("condition_ignored", "E[X | z] integrates z out as well",
           (("grading/unroll.py", "keep = {s for s in self.random if s.name in names or s.name.rsplit(\"_\", 1)[0] in names}",
             "keep: set = set()"),), (), (T_DER,)),
    Mutant("chain_rule_always", "the naive derivative is the true one (missing_chain_rule never named)",
           (("grading/unroll.py", "return naive_diff(f, var) if self.naive else sp.diff(f, var)",
             "return sp.diff(f, var)"),), (), (T_DER,)),
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


def apply(src: Path, mutant: Mutant) -> None:
    for file, old, new in mutant.edits:
        path = src / LAYOUT[file.split("/", 1)[0]] / file.split("/", 1)[1] if "/" in file else src / file
        text = path.read_text()
        if text.count(old) != 1:
            raise ValueError(f"{mutant.name}: {old!r} occurs {text.count(old)} times in {file}")
        path.write_text(text.replace(old, new))


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> int:
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return 124


def judge(mutant: Mutant | None, verbose: bool) -> str | None:
    """Apply ``mutant`` (None: the unmutated baseline) in a fresh scratch copy; what catches it."""
    with tempfile.TemporaryDirectory(prefix="derivcheck-mutant-") as tmp:
        work = Path(tmp)
        src = scratch_copy(work)
        if mutant is not None:
            apply(src, mutant)
        env = {**os.environ, "PYTHONPATH": str(src), "DERIVCHECK_CACHE": str(work / "cache")}
        probe = subprocess.run([sys.executable, "-c", "import derivcheck.simulations as s; print(s.__file__)"],
                               env=env, capture_output=True, text=True, cwd=work).stdout.strip()
        if not probe.startswith(str(src)):
            raise RuntimeError(f"the scratch copy is not the one imported: {probe}")
        claims = mutant.claims if mutant else ()
        if claims and run([sys.executable, "-m", "derivcheck", "verify", *claims, "--device", "cpu", "--quiet"],
                          work, env) != 0:
            return "verify"
        if mutant is not None and mutant.tests and \
                run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *mutant.tests], work, env) != 0:
            return "tests"
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", nargs="*", help="run only these mutants")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.only or m.name in args.only]
    rows = []
    for m in chosen:
        caught = judge(m, verbose=not args.json)
        rows.append({"name": m.name, "file": m.file, "what": m.what, "caught_by": caught})
        print(f"{m.name:30s} {caught or 'NOT CAUGHT'}", file=sys.stderr, flush=True)
    result = {"total": len(rows), "caught": sum(r["caught_by"] is not None for r in rows), "mutants": rows}
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(r["name"]) for r in rows)
        print(f"{'mutant':{width}s}  caught by  file")
        for r in rows:
            print(f"{r['name']:{width}s}  {r['caught_by'] or 'NOT CAUGHT'!s:9s}  {r['file']}")
        print(f"\n{result['caught']} of {result['total']} caught")


if __name__ == "__main__":
    main()
