"""Reading MNIST's IDX files (gzipped or not) from a local directory, with one-line errors.

IDX: a 4-byte magic number (two zero bytes, a type code, the number of dimensions), the
dimensions as big-endian 32-bit integers, then the data; MNIST uses unsigned bytes (0x08).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataError(Exception):
    """A missing or corrupt data file; the message names the file and fits on one line."""


def read_idx(path: Path) -> np.ndarray:
    """The array stored in an IDX file of unsigned bytes (``.gz`` is decompressed)."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"{path}: cannot read ({err})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise DataError(f"{path}: IDX type 0x{raw[2]:02x} is not unsigned bytes (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    size = int(np.prod(shape))
    if len(raw) - header != size:
        raise DataError(f"{path}: expected {size} data bytes for shape {shape}, found {len(raw) - header}"
                        f" ({'truncated' if len(raw) - header < size else 'trailing bytes'})")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def find(directory: Path, stem: str) -> Path:
    """``stem`` or ``stem.gz`` in ``directory`` (also the ``stem`` with '-' -> '.' spelling)."""
    for name in (stem, f"{stem}.gz", stem.replace("-idx", ".idx"), f"{stem.replace('-idx', '.idx')}.gz"):
        if (directory / name).is_file():
            return directory / name
    raise DataError(f"{directory / stem}: file not found (also tried .gz)")


def load_mnist(directory: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"train": (images N x 28 x 28, labels N), "test": (...)} from the four standard files."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: not a directory")
    out = {}
    for split, (images_stem, labels_stem) in FILES.items():
        images_path, labels_path = find(directory, images_stem), find(directory, labels_stem)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or labels.ndim != 1:
            raise DataError(f"{images_path}: expected images N x rows x cols and labels N")
        if len(images) != len(labels):
            raise DataError(f"{labels_path}: {len(labels)} labels for {len(images)} images")
        if labels.max(initial=0) > 9:
            raise DataError(f"{labels_path}: label {labels.max()} outside 0..9")
        out[split] = (images, labels)
    return out


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write an unsigned-byte IDX file (gzipped when the name ends in .gz); for tests and fixtures."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data += array.tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
