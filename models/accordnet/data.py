"""Training data written by electron/tools/training/makeDataset.ts (see models/data/manifest.json)."""
import hashlib
import json
import os
from typing import Dict, Tuple

import numpy as np


def sha256_file(path: str) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Split:
    """One split: x uint8 [n, C, L, L], y float32 [n, L], and per-sample score frame counts [n]."""

    def __init__(self, root: str, manifest: Dict, name: str) -> None:
        info = manifest["splits"].get(name)
        if info is None:
            raise ValueError(f"{root}/manifest.json: expected a '{name}' split, found {sorted(manifest['splits'])}")
        L, c, n = manifest["L"], manifest["channels"], info["count"]
        self.name, self.L, self.channels, self.n = name, L, c, n
        x = np.fromfile(os.path.join(root, info["files"]["x"]), dtype=np.uint8)
        y = np.fromfile(os.path.join(root, info["files"]["y"]), dtype="<f4")
        if x.size < n * c * L * L or y.size < n * L:
            raise ValueError(f"{name}: manifest lists {n} samples, the binary files hold {x.size // (c * L * L)} / {y.size // L}")
        self.x = x[: n * c * L * L].reshape(n, c, L, L)
        self.y = y[: n * L].reshape(n, L).astype(np.float32)
        samples = sorted(info["samples"], key=lambda s: s["index"])[:n]
        self.score_frames = np.array([s["scoreFrames"] for s in samples], dtype=np.float32)
        self.kinds = [s["kind"] for s in samples]
        self.levels = float(manifest["inputLevels"])

    def batch(self, idx: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Float inputs in [0, 1] and targets for sample indices `idx`."""
        return self.x[idx].astype(np.float32) / self.levels, self.y[idx]


def load(root: str) -> Tuple[Dict, str, Split, Split]:
    """manifest, its sha256, train split, validation split."""
    path = os.path.join(root, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    return manifest, sha256_file(path), Split(root, manifest, "train"), Split(root, manifest, "validation")


def crop_augment(x: np.ndarray, y: np.ndarray, rng: np.random.RandomState, min_rows: float = 0.75, min_cols: float = 0.5) -> Tuple[np.ndarray, np.ndarray]:
    """A sub-excerpt of one sample: rows [r0, r1) and columns [c0, c1) (holding every target of those rows), resampled back to L (nearest)."""
    L = y.shape[0]
    rows = int(rng.randint(int(min_rows * L), L + 1))
    r0 = int(rng.randint(0, L - rows + 1))
    r1 = r0 + rows
    ri = r0 + np.floor((np.arange(L) + 0.5) * rows / L).astype(np.int64)
    t = y[r0:r1] * L
    lo, hi = int(np.floor(t.min())), int(np.ceil(t.max()))
    c0 = int(rng.randint(0, max(0, lo) + 1))
    c1 = int(rng.randint(min(L, hi), L + 1))
    if c1 - c0 < min_cols * L:
        c0, c1 = 0, L
    ci = c0 + np.floor((np.arange(L) + 0.5) * (c1 - c0) / L).astype(np.int64)
    x2 = x[:, ri][:, :, ci]
    y2 = np.clip((y[ri] * L - c0) / (c1 - c0), 0.0, 1.0).astype(np.float32)
    return x2, y2
