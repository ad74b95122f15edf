"""Problem 1's exercises on fast configurations: target, model, piecewise linearity, IDX, digits, init."""
import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from derivcheck.simulations.device import generator, substream
from derivcheck.simulations.exercises import basics, digits, fit2d, idx, pool
from derivcheck.simulations.exercises import init_study as init

TINY_LOGO = fit2d.Fit(fit2d.Config(2, 8), "logo", steps=20, batch=64, cosine=True)


def test_basics_gradients_accumulate_until_zeroed():
    b = basics.run("cpu")
    assert (b["grad_first"], b["grad_after_second_backward"], b["grad_after_zero"],
            b["grad_after_fresh_backward"]) == (5.0, 7.0, 0.0, 5.0)
    assert b["functions"]["y"]["derivative_at_x"] + b["functions"]["z"]["derivative_at_x"] == 7
    assert b["requires_grad"] == {"tracked": True, "under_no_grad": False, "detached": False}
    assert b["default_dtype"] == {"torch": "float32", "numpy": "float64"} and b["from_numpy_shares_memory"]
    json.dumps(b, allow_nan=False)


def test_submit_without_a_pool_runs_now():
    future = pool.submit(None, pow, 2, 10)
    assert future.done() and future.result() == 1024
    with pool.workers(torch.device("meta")) as workers:
        assert workers is None  # not a CPU: runs stay in this process


def test_target_values():
    x = torch.tensor([[0.0, 0.0], [0.3, 0.4], [1.0, 0.0]], dtype=torch.float64)
    expected = [1.0, math.cos(5.0) * math.exp(-1.0), math.cos(10.0) * math.exp(-4.0)]
    assert fit2d.target(x)[:, 0].tolist() == pytest.approx(expected, rel=1e-12)


def test_grid_covers_the_square():
    x = fit2d.grid(100)
    assert x.shape == (10_000, 2)
    assert x.min() == -1 and x.max() == 1
    assert x[1, 0] > x[0, 0] and x[1, 1] == x[0, 1]  # x1 varies fastest


def test_model_shapes_and_he_init_statistics():
    cfg = fit2d.Config(depth=4, width=512)
    params = fit2d.init_mlp(cfg, generator(0, torch.device("cpu")), torch.device("cpu"))
    assert [tuple(w.shape) for w, _ in params] == [(2, 512), (512, 512), (512, 512), (512, 1)]
    assert all(float(b.detach().abs().max()) == 0 for _, b in params)
    w = params[1][0].detach()
    # 262,144 entries of N(0, 2/512): the sample variance is within 1% (about 7 standard errors).
    assert float(w.var()) == pytest.approx(2 / 512, rel=0.01)
    assert fit2d.mlp(params, fit2d.grid(10)).shape == (100, 1)


def brute_force_pieces(params, points=2_000_001) -> int:
    """Count linear pieces on x2 = 0 by activation-pattern changes on a very fine grid."""
    t = torch.linspace(-1, 1, points, dtype=torch.float64)
    h = torch.stack([t, torch.zeros_like(t)], 1)
    bits = []
    for w, b in params[:-1]:
        h = h @ w.detach().double() + b.detach().double()
        bits.append(h > 0)
        h = torch.relu(h)
    pattern = torch.cat(bits, 1)
    return int((pattern[1:] != pattern[:-1]).any(1).sum()) + 1


@pytest.mark.parametrize("seed", range(5))
def test_exact_line_walk_matches_brute_force_on_tiny_nets(seed):
    params = fit2d.init_mlp(fit2d.Config(depth=3, width=4), generator(seed, torch.device("cpu")),
                            torch.device("cpu"), dtype=torch.float64)
    with torch.no_grad():
        for _, b in params:
            b.normal_(0, 0.5, generator=generator(seed + 100, torch.device("cpu")))
    breaks = fit2d.line_pieces(params)
    assert len(breaks) + 1 == brute_force_pieces(params)
    assert len(breaks) + 1 <= fit2d.region_bound([4, 4], 1)


def test_region_bounds():
    assert fit2d.region_bound([32, 32, 32], 1) == 33**3
    assert fit2d.region_bound([3], 2) == 1 + 3 + 3


def test_short_fit_reduces_loss_and_counts_pieces(tmp_path):
    summary = fit2d.run(tmp_path, steps=30, widths=(8,), depths=(2,), show=False, figures=False, logo_large=TINY_LOGO)
    assert summary["final_mse"] < 0.2
    assert set(summary["logo"]["runs"]) == {"small", "small_long", "large"}
    assert summary["logo"]["runs"]["large"]["batch"] == 64 and summary["logo"]["runs"]["small_long"]["steps"] == 20
    pw = summary["piecewise"]
    assert 1 <= pw["line_pieces"] <= pw["line_pieces_bound"]
    assert 1 <= pw["grid_patterns"] <= pw["grid_region_bound"]
    assert abs(pw["slope_changes_on_fine_line"] - (pw["line_pieces"] - 1)) <= 2


@pytest.mark.parametrize("batch", [None, 64])
def test_stacked_training_reproduces_each_network_trained_alone(batch):
    """Two networks of one shape on different targets, trained together, follow the autograd
    reference run of each alone (same initial weights and batches) to float32 rounding."""
    cpu = torch.device("cpu")
    specs = tuple(fit2d.Fit(fit2d.Config(3, 16), target, steps=25, batch=batch, lr=2e-3, cosine=batch is not None)
                  for target in ("rings", "logo"))
    together = fit2d.fit(specs, seed=3, device="cpu")
    x = fit2d.grid()
    for spec, run in zip(specs, together, strict=True):
        c = spec.config
        params = fit2d.init_mlp(c, generator(substream(3, "fit2d", c.depth, c.width), cpu), cpu)
        losses = fit2d.train(params, x, fit2d.targets(spec.target, x), spec.steps, spec.lr, show=False, batch=batch,
                             cosine=spec.cosine, gen=generator(substream(3, "fit2d-batches", spec.target), cpu))
        assert run["losses"] == pytest.approx(losses, rel=1e-5)
        assert losses[-1] < 0.8 * losses[0]  # it trained: a wrong gradient would not follow autograd this far
        for (w, b), (w_ref, b_ref) in zip(run["params"], params, strict=True):
            assert np.allclose(w, w_ref.detach().numpy(), rtol=0, atol=1e-5)
            assert np.allclose(b, b_ref.detach().numpy(), rtol=0, atol=1e-5)
        assert run["final_mse"] == pytest.approx(fit2d.final_mse(params, x, fit2d.targets(spec.target, x)), rel=1e-4)


@pytest.mark.parametrize("depth, width, rows", [(2, 8, 50), (4, 32, 7), (5, 128, 3)])
def test_multiply_adds_match_the_flop_counter(depth, width, rows):
    from torch.utils.flop_counter import FlopCounterMode

    c = fit2d.Config(depth, width)
    params = fit2d.init_mlp(c, generator(0, torch.device("cpu")), torch.device("cpu"))
    with FlopCounterMode(display=False) as counter:
        fit2d.mlp(params, fit2d.grid(10)[:rows]).square().mean().backward()
    assert c.multiply_adds(rows) == counter.get_total_flops() // 2


def test_logo_is_rendered_offline():
    img = fit2d.logo(100)
    assert img.shape == (10_000, 1) and 0.05 < float(img.mean()) < 0.6 and float(img.max()) > 0.9


# --- IDX reader -------------------------------------------------------------------------------

def write_mnist(directory: Path, n_train=12, n_test=6, gz=True) -> None:
    rng = np.random.default_rng(0)
    ext = ".gz" if gz else ""
    for split, n in (("train", n_train), ("t10k", n_test)):
        idx.write_idx(directory / f"{split}-images-idx3-ubyte{ext}", rng.integers(0, 256, (n, 28, 28)))
        idx.write_idx(directory / f"{split}-labels-idx1-ubyte{ext}", rng.integers(0, 10, n))


@pytest.mark.parametrize("gz", [True, False])
def test_idx_roundtrip(tmp_path, gz):
    write_mnist(tmp_path, gz=gz)
    data = idx.load_mnist(tmp_path)
    assert data["train"][0].shape == (12, 28, 28) and data["test"][1].shape == (6,)


def test_idx_errors_name_the_file(tmp_path):
    write_mnist(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])  # truncated
    with pytest.raises(idx.DataError, match=r"train-images-idx3-ubyte.*truncated"):
        idx.load_mnist(tmp_path)
    path.write_bytes(b"\x00\x00\x08")
    with pytest.raises(idx.DataError, match="train-images"):
        idx.load_mnist(tmp_path)
    path.write_bytes(b"garbage!")
    with pytest.raises(idx.DataError, match="bad magic"):
        idx.load_mnist(tmp_path)
    path.unlink()
    with pytest.raises(idx.DataError, match=r"train-images-idx3-ubyte.*not found"):
        idx.load_mnist(tmp_path)


def test_idx_corrupt_gzip(tmp_path):
    write_mnist(tmp_path, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"xx")[:5])
    with pytest.raises(idx.DataError, match="t10k-labels"):
        idx.load_mnist(tmp_path)


def test_mnist_dataset_normalisation(tmp_path):
    write_mnist(tmp_path, n_train=60, n_test=10)
    data = digits.load_mnist_dataset(tmp_path)
    assert data.train.x.shape[1] == 784 and len(data.val.x) == 10
    raw = idx.load_mnist(tmp_path)["test"][0][0].reshape(-1)
    assert torch.allclose(data.test.x[0], torch.tensor((raw / 255 - 0.1307) / 0.3081, dtype=torch.float32))


def test_cli_mnist_error_is_one_line(tmp_path, capsys):
    from derivcheck.cli import main

    assert main(["exercises", "digits", "--mnist", str(tmp_path), "--quiet", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "train-images-idx3-ubyte" in err and "Traceback" not in err


def test_digits_short_run_is_sensible(tmp_path):
    summary = digits.run(tmp_path, epochs=2, show=False, figures=False)
    assert summary["test_accuracy"] > 0.85
    assert summary["dataset"] == "sklearn_digits_8x8"
    assert summary["sizes"]["train"] == 5 * summary["augmented_from"]  # the images and their 4 one-pixel shifts
    assert len(summary["extremes"]["lowest"]) == 5 and len(summary["extremes"]["highest"]) == 5
    assert summary["extremes"]["highest"][0]["loss"] >= summary["extremes"]["lowest"][-1]["loss"]


def test_digits_on_mnist_files(tmp_path):
    write_mnist(tmp_path, n_train=300, n_test=50)
    summary = digits.run(tmp_path / "out", mnist=tmp_path, epochs=1, show=False, figures=False)
    assert summary["dataset"] == "mnist" and 0 <= summary["test_accuracy"] <= 1


@pytest.fixture(scope="module")
def init_summary(tmp_path_factory):
    return init.run(tmp_path_factory.mktemp("init"), figures=False)


@pytest.mark.parametrize("activation", list(init.ACTIVATIONS))
def test_init_profiles_match_autograd_at_every_scale(activation):
    base, x, delta = init.draws(1, seeds=2)
    scales = [0.5, 1.0, 1.5]  # tanh turns chaotic at larger scales: rounding differences then grow with depth
    together = init.profiles(activation, scales, base, x, delta)
    for k, scale in enumerate(scales):
        reference = init.profile_autograd(activation, scale, base, x, delta)
        for key in init.KEYS:
            assert np.allclose(together[key][k], reference[key], rtol=1e-12, atol=0), (key, scale)
    assert init.instabilities(activation, scales, base, x, delta) == pytest.approx(
        [max(abs(np.mean(np.log(r[:, -1] / r[:, 0]))) for r in (p["rms_activations"], p["rms_deltas"]))
         for p in (init.profile_autograd(activation, s, base, x, delta) for s in scales)], rel=1e-12)


@pytest.mark.slow
def test_init_recommended_scales(init_summary):
    rec = init_summary["recommended"]
    assert abs(rec["relu"] - math.sqrt(2)) < 0.25
    assert abs(rec["identity"] - 1) < 0.2
    assert rec["sigmoid"] is None
    assert rec["tanh"] is not None and 1 < rec["tanh"] < 2
    assert init_summary["he_sigma_times_sqrt_width"] == pytest.approx(math.sqrt(2))


def test_sigmoid_is_level_at_a_large_scale_but_saturates_and_forgets(init_summary):
    sg = init_summary["search"]["sigmoid"]
    assert init_summary["config"]["scale_range"][1] > 12
    assert sg["level"] and not sg["on_edge"] and 8 < sg["best_scale"] < 14
    assert sg["saturated"] > 0.4 and sg["correlation"] > 0.95
    assert init_summary["search"]["tanh"]["correlation"] < 0.2
    for act in ("relu", "identity", "tanh"):
        assert init_summary["search"][act]["saturated"] < 0.05


def test_tanh_gain_trades_forward_for_backward_growth(init_summary):
    th = init_summary["search"]["tanh"]
    assert th["at_gain"]["scale"] == pytest.approx(5 / 3)
    assert 1.05 < th["at_gain"]["deltas"] < 1.2  # about 1.1 per layer on the way back
    assert th["best_scale"] < 5 / 3 and th["growth"]["deltas"] < th["at_gain"]["deltas"]


def test_init_bad_scales_vanish_and_explode(init_summary):
    runs = {(r["activation"], r["label"]): r for r in init_summary["runs"]}
    small, large = runs[("relu", "too_small")], runs[("relu", "too_large")]
    assert small["rms_activations"][-1] / small["rms_activations"][0] < 1e-6
    assert large["rms_activations"][-1] / large["rms_activations"][0] > 1e6
    assert small["rms_deltas"][0] / small["rms_deltas"][-1] < 1e-6  # vanishing gradients at the input


@pytest.mark.slow  # both exercises end to end through the CLI (16 CPU-s); the in-process tests above run every time
def test_exercises_cli_quick_json(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "derivcheck", "exercises", "fit2d", "digits", "--quick",
                             "--json", "--quiet", "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"fit2d", "digits"}
    assert {"config", "final_mse", "sweep", "figures"} <= set(doc["fit2d"])
    assert {"dataset", "test_accuracy", "epochs", "figures"} <= set(doc["digits"])
    for fig in doc["fit2d"]["figures"].values():
        assert Path(fig["pdf"]).stat().st_size > 1000 and Path(fig["png"]).exists()
    assert (tmp_path / "exercises.json").exists()
