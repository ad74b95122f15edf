r"""The model of Problem 2, sampled: y = sum_{i=1}^{d} w_i ReLU(z_i), z_i ~ N(0, 1), w_i ~ N(0, sigma^2).

The weight's standard deviation is written once, here, from the sheet's definition of the model
(``torch.nn.init.normal_``'s convention: N(0, std^2) with std = sigma), never from a derivation.
For each of N samples the layer is drawn in full (d weights, d inputs) and three sums are kept:

    W = sum_{j,i} w_ij^2,          ~ sigma^2 chi^2_{N d}
    T = sum_j S_j,  S_j = sum_i ReLU(z_ij)^2,   ~ chi^2_{Binomial(N d, 1/2)}
    Q = sum_j y_j^2 / S_j,         ~ sigma^2 chi^2_N   (given z, y_j ~ N(0, sigma^2 S_j))
    Y2 = sum_j y_j^2, Y4 = sum_j y_j^4   (the plain estimate mean(y^2) and its sample variance)

W, T are independent (w and z are); Q is independent of T (its conditional law given z does not
depend on z). A sample with S_j = 0 (probability 2^-d) carries no information on y and is dropped
from Q.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .device import one_cpu_thread

#: Random numbers per chunk (rows of the N x d draws are generated CHUNK // d at a time).
CHUNK = 1 << 20


@dataclass(frozen=True)
class LayerSums:
    """The sums of N sampled layers: ``weights`` = W, ``rectified`` = T, ``normalized`` = Q,
    ``informative`` the samples with S_j > 0 (Q's degrees of freedom), and ``squares`` = Y2,
    ``fourth_powers`` = Y4 of the formed outputs y_j."""

    samples: int
    dim: int
    weights: float
    rectified: float
    normalized: float
    informative: int
    squares: float = 0.0
    fourth_powers: float = 0.0

    @property
    def draws(self) -> int:
        """Standard normal numbers drawn: d weights and d inputs per sample."""
        return 2 * self.samples * self.dim


def sample_weights(rows: int, dim: int, sigma: float, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    """w_i ~ N(0, sigma^2): standard deviation sigma."""
    return torch.randn(rows, dim, generator=gen, device=device).mul_(sigma)


def sample_layer(samples: int, dim: int, sigma: float, gen: torch.Generator, device: torch.device) -> LayerSums:
    """Draw ``samples`` layers (w, z) of width ``dim``, form y = w . ReLU(z), and keep W, T, Q."""
    with one_cpu_thread(device):
        return _sample_layer(samples, dim, sigma, gen, device)


def _sample_layer(samples: int, dim: int, sigma: float, gen: torch.Generator, device: torch.device) -> LayerSums:
    rows = max(1, CHUNK // dim)
    w_sum = t_sum = q_sum = y2_sum = y4_sum = 0.0
    informative = 0
    for start in range(0, samples, rows):
        m = min(rows, samples - start)
        r = torch.randn(m, dim, generator=gen, device=device).clamp_min_(0)
        w = sample_weights(m, dim, sigma, gen, device)
        w_sum += float(torch.dot(w.view(-1), w.view(-1)))
        s = torch.linalg.vecdot(r, r).double()
        y = torch.linalg.vecdot(w, r).double()
        keep = s > 0
        t_sum += float(s.sum())
        y2 = y.square()
        y2_sum += float(y2.sum())
        y4_sum += float(y2.square().sum())
        q_sum += float((y[keep].square() / s[keep]).sum())
        informative += int(keep.sum())
    return LayerSums(samples, dim, w_sum, t_sum, q_sum, informative, y2_sum, y4_sum)
