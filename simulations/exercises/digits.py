r"""Problem 1.2: classify digits with an MLP (``torch.nn``), softmax cross-entropy, Adam.

The network is input -> 128 -> 128 -> 128 -> 10 with ReLU, trained with Adam (lr 5e-3, batch 128).
Default data: scikit-learn's bundled 8 x 8 ``load_digits`` (offline, 1,797 images), split
stratified 65/15/20 into train/validation/test (a fixed split, like MNIST's fixed test set) and
normalised with the training set's mean and standard deviation. The set is 30x smaller than
MNIST, so the training images are augmented with their 1-pixel shifts (5x) and trained for 12
epochs, the learning rate divided by 10 for the last quarter (``DECAY``) so that the final model
does not sit on Adam's noise: test accuracy 98.3% on average over 10 seeds (97.2% at worst)
against 96.8% without these. With ``mnist=DIR`` the four
standard IDX files are read from DIR (gzipped or not), normalised with the notebook's
(0.1307, 0.3081), the last 10,000 training images held out for validation, 2 epochs.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..device import resolve_device, substream
from .progress import progress

BATCH = 128
LEARNING_RATE = 5e-3
HIDDEN = (128, 128, 128)
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
#: Fraction of the epochs, at the end, run with the learning rate divided by 10 (0 for MNIST's 2 epochs).
DECAY = 0.25


@dataclass
class Split:
    x: torch.Tensor
    y: torch.Tensor


@dataclass
class Dataset:
    name: str
    train: Split
    val: Split
    test: Split
    image_shape: tuple[int, int]
    epochs: int
    #: Training images before augmentation (``None``: not augmented).
    augmented_from: int | None = None


#: The digits split is part of the data set's definition, fixed like MNIST's test set, so that
#: accuracies under different training seeds are comparable.
SPLIT_SEED = 0
AUGMENT = True
EPOCHS = 12
#: The notebook's setting and the accuracy its official solution reports, for comparison.
NOTEBOOK_EPOCHS = 2
NOTEBOOK = {"dataset": "MNIST", "images": 70_000, "epochs": NOTEBOOK_EPOCHS, "official_test_accuracy": 0.96}


def load_digits_dataset(seed: int = SPLIT_SEED, augment: bool = AUGMENT) -> Dataset:
    """scikit-learn's 8 x 8 digits, stratified 65/15/20, standardised with training statistics;
    with ``augment``, the training images' 1-pixel shifts are added and the epochs are ``EPOCHS``,
    else the notebook's."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.20, stratify=y, random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(x_rest, y_rest, test_size=0.15 / 0.80, stratify=y_rest,
                                                      random_state=seed)
    mean, std = x_train.mean(), x_train.std()

    def split(a: np.ndarray, b: np.ndarray) -> Split:
        return Split(torch.tensor((a - mean) / std, dtype=torch.float32), torch.tensor(b, dtype=torch.long))

    x_aug, y_aug = shifted(x_train, y_train, (8, 8)) if augment else (x_train, y_train)
    return Dataset("sklearn_digits_8x8", split(x_aug, y_aug), split(x_val, y_val), split(x_test, y_test),
                   (8, 8), epochs=EPOCHS if augment else NOTEBOOK_EPOCHS,
                   augmented_from=len(x_train) if augment else None)


def shifted(x: np.ndarray, y: np.ndarray, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The training images and their copies shifted by one pixel up, down, left and right."""
    images = x.reshape(-1, *shape)
    copies = [images] + [np.roll(images, step, axis) for axis in (1, 2) for step in (1, -1)]
    return np.concatenate(copies).reshape(len(copies) * len(x), -1), np.tile(y, len(copies))


def load_mnist_dataset(directory: str | Path) -> Dataset:
    """MNIST from local IDX files; raises ``idx.DataError`` with a one-line reason."""
    from .idx import load_mnist

    data = load_mnist(directory)

    def split(images: np.ndarray, labels: np.ndarray) -> Split:
        x = (images.reshape(len(images), -1).astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD
        return Split(torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64)))

    images, labels = data["train"]
    held = min(10_000, len(images) // 6)
    return Dataset("mnist", split(images[:-held], labels[:-held]), split(images[-held:], labels[-held:]),
                   split(*data["test"]), tuple(images.shape[1:]), epochs=2)


def model(inputs: int) -> nn.Sequential:
    """inputs -> 128 -> 128 -> 128 -> 10, ReLU."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise((inputs, *HIDDEN)):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(HIDDEN[-1], 10))


def evaluate_split(net: nn.Module, split: Split, dev: torch.device) -> tuple[float, float, torch.Tensor, torch.Tensor]:
    """(mean loss, accuracy, per-example losses, predictions)."""
    net.eval()
    with torch.no_grad():
        logits = torch.cat([net(split.x[i:i + 4096].to(dev)) for i in range(0, len(split.x), 4096)]).double()
        losses = F.cross_entropy(logits, split.y.to(dev), reduction="none").cpu()
        pred = logits.argmax(1).cpu()
    net.train()
    return float(losses.mean()), float((pred == split.y).float().mean()), losses, pred


def train(data: Dataset, epochs: int, decay_from: int, seed: int, dev: torch.device, show: bool,
          ) -> tuple[nn.Module, dict[str, list[float]]]:
    """Adam (``LEARNING_RATE``, divided by 10 from epoch ``decay_from`` on, 0-based), batches of
    ``BATCH``; the network and its loss and accuracy per epoch on the training and validation sets."""
    torch.manual_seed(substream(seed, "digits"))
    net = model(data.train.x.shape[1]).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    gen = torch.Generator().manual_seed(substream(seed, "digits-batches"))
    curves: dict[str, list[float]] = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": []}
    n = len(data.train.x)
    steps = epochs * ((n + BATCH - 1) // BATCH)
    bar = iter(progress(range(steps), f"digits ({data.name})", total=steps, enabled=show))
    for epoch in range(epochs):
        if epoch == decay_from:
            for group in opt.param_groups:
                group["lr"] = LEARNING_RATE / 10
        order = torch.randperm(n, generator=gen)
        for i in range(0, n, BATCH):
            idx = order[i:i + BATCH]
            loss = F.cross_entropy(net(data.train.x[idx].to(dev)), data.train.y[idx].to(dev))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            next(bar, None)
        for name, split in (("train", data.train), ("val", data.val)):
            mean_loss, acc, _, _ = evaluate_split(net, split, dev)
            curves[f"{name}_loss"].append(mean_loss)
            curves[f"{name}_accuracy"].append(acc)
    return net, curves


def run(out_dir: Path, seed: int = 0, device: str = "auto", mnist: str | Path | None = None,
        epochs: int | None = None, show: bool = True, figures: bool = True) -> dict:
    """Train, record curves per epoch, report test accuracy and the extreme validation images."""
    start = time.perf_counter()
    dev = resolve_device(device)
    data = load_mnist_dataset(mnist) if mnist else load_digits_dataset()
    epochs = epochs or data.epochs
    decay_from = epochs - int(DECAY * epochs) if data.augmented_from else epochs
    net, curves = train(data, epochs, decay_from, seed, dev, show)
    test_loss, test_acc, _, _ = evaluate_split(net, data.test, dev)
    _, _, val_losses, val_pred = evaluate_split(net, data.val, dev)
    order = torch.argsort(val_losses)
    extremes = {"lowest": order[:5].tolist(), "highest": order[-5:].flip(0).tolist()}
    recipe = None
    if data.augmented_from:  # offline digits: also the sheet's own recipe (no shifted copies, its epochs)
        plain = load_digits_dataset(augment=False)
        plain_net, plain_curves = train(plain, plain.epochs, plain.epochs, seed, dev, show)
        _, plain_acc, _, _ = evaluate_split(plain_net, plain.test, dev)
        recipe = {"epochs": plain.epochs, "test_accuracy": plain_acc, "train": len(plain.train.x),
                  "val_accuracy": plain_curves["val_accuracy"][-1]}
    summary: dict[str, Any] = {
        "dataset": data.name, "inputs": int(data.train.x.shape[1]), "test_accuracy": test_acc, "test_loss": test_loss,
        "epochs": epochs, "augmented_from": data.augmented_from, "shifted_copies": 4 if data.augmented_from else 0,
        "notebook": NOTEBOOK, "sheet_recipe": recipe,
        "sizes": {"train": len(data.train.x), "val": len(data.val.x), "test": len(data.test.x)},
        "curves": curves,
        "extremes": {k: [{"index": i, "label": int(data.val.y[i]), "predicted": int(val_pred[i]),
                          "loss": float(val_losses[i])} for i in v] for k, v in extremes.items()},
        "config": {"hidden": list(HIDDEN), "lr": LEARNING_RATE, "lr_divided_by_10_from_epoch": decay_from + 1,
                   "batch": BATCH, "seed": seed, "device": dev.type},
        "figures": {},
    }
    if figures:
        summary["figures"] = plots(out_dir, data, curves, summary["extremes"])
    summary["seconds"] = round(time.perf_counter() - start, 2)
    return summary


def sci(value: float) -> str:
    """A positive number for a figure: 0.51 as it is, 8.7e-10 in matplotlib's mathtext ($8.7 \\times 10^{-10}$)."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{value:.2g}" if -2 <= int(exponent) <= 1 else f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def plots(out_dir: Path, data: Dataset, curves: dict, extremes: dict) -> dict:
    """Loss and accuracy per epoch; the five lowest- and highest-loss validation images."""
    from matplotlib.ticker import MaxNLocator

    from .figures import SMALL_PT, figure, save

    figs = {}
    epochs = range(1, len(curves["train_loss"]) + 1)
    fig, (ax1, ax2) = figure("digits_curves", 1.6, 1, 2)
    for split, style, name in (("train", "-", "training"), ("val", "--", "validation")):
        ax1.plot(epochs, curves[f"{split}_loss"], style, marker="o", ms=3, label=name)
        ax2.plot(epochs, curves[f"{split}_accuracy"], style, marker="o", ms=3, label=name)
    ax1.set(xlabel="epoch", ylabel="cross-entropy", yscale="log")
    ax2.set(xlabel="epoch", ylabel="accuracy")
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # whole epochs, labels apart
    # one legend for both panels, above them, so that it covers no curve
    fig.legend(*ax1.get_legend_handles_labels(), loc="outside upper center", ncol=2, frameon=False, handlelength=3)
    figs["curves"] = save(fig, out_dir, "digits_curves")

    fig, axes = figure("digits_extremes", 2.0, 2, 5)
    for row, key in zip(axes, ("lowest", "highest"), strict=True):
        for ax, item in zip(row, extremes[key], strict=False):  # a tiny validation split fills fewer axes
            image = data.val.x[item["index"]].reshape(data.image_shape).numpy()
            ax.imshow(image, cmap="gray_r")
            ax.set_title(f"{item['label']} → {item['predicted']}\n{sci(item['loss'])}", fontsize=SMALL_PT)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(f"{key}\nloss")
    fig.suptitle("each image: true label → predicted label, and its loss", fontsize=SMALL_PT)
    figs["extremes"] = save(fig, out_dir, "digits_extremes")
    return figs
