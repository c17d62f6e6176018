"""Soft-DTW and the soft-DTW divergence, vectorised along anti-diagonals.

Forward and backward are the recursions of Cuturi & Blondel (2017) run one anti-diagonal
d = i + j at a time, each step vectorised over the batch and the cells of the diagonal;
the backward pass is explicit (no autograd graph through the O(n + m) loop).
"""
from functools import lru_cache
from typing import List, Tuple

import torch

BIG = 1e10  # stands for +inf (finite, so no inf − inf or NaN appears)


@lru_cache(maxsize=16)
def _layout(n: int, m: int) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, List[Tuple[int, int, int]]]:
    """Skewed layout: diagonal d = i + j, slot i (0..n+1), for the (n+2) × (m+2) padded matrices.

    Returns the gather index padded-matrix → skewed [D, n+2] (invalid slots point at cell (0, 0)),
    the gather index skewed → interior [n, m], the interior mask [D, n+2], and per diagonal
    d = 2..n+m its (d, first i, last i + 1).
    """
    big_d = n + m + 3
    d = torch.arange(big_d)[:, None]
    i = torch.arange(n + 2)[None, :]
    j = d - i
    inside_pad = (j >= 0) & (j <= m + 1)
    to_skew = torch.where(inside_pad, i * (m + 2) + j, torch.zeros_like(j))
    interior = (i >= 1) & (i <= n) & (j >= 1) & (j <= m)
    ii = torch.arange(1, n + 1)[:, None]
    jj = torch.arange(1, m + 1)[None, :]
    from_skew = (ii + jj) * (n + 2) + ii
    steps = [(dd, max(1, dd - m), min(n, dd - 1) + 1) for dd in range(2, n + m + 1)]
    return to_skew, from_skew, interior, steps


class _SoftDTW(torch.autograd.Function):
    @staticmethod
    def forward(ctx, cost: torch.Tensor, gamma: float) -> torch.Tensor:  # type: ignore[override]
        bsz, n, m = cost.shape
        to_skew, _, _, steps = _layout(n, m)
        to_skew = to_skew.to(cost.device)
        cpad = torch.zeros((bsz, n + 2, m + 2), dtype=cost.dtype, device=cost.device)
        cpad[:, 1 : n + 1, 1 : m + 1] = cost
        c = cpad.reshape(bsz, -1)[:, to_skew.reshape(-1)].reshape(bsz, n + m + 3, n + 2)
        r = torch.full_like(c, BIG)
        r[:, 0, 0] = 0.0
        for d, lo, hi in steps:
            stacked = torch.stack([r[:, d - 2, lo - 1 : hi - 1], r[:, d - 1, lo - 1 : hi - 1], r[:, d - 1, lo:hi]], 0)
            r[:, d, lo:hi] = c[:, d, lo:hi] - gamma * torch.logsumexp(-stacked / gamma, 0)
        ctx.save_for_backward(r, c)
        ctx.gamma = gamma
        ctx.nm = (n, m)
        return r[:, n + m, n].clone()

    @staticmethod
    def backward(ctx, grad: torch.Tensor):  # type: ignore[override]
        r, c = ctx.saved_tensors
        gamma = ctx.gamma
        n, m = ctx.nm
        bsz = r.shape[0]
        _, from_skew, interior, steps = _layout(n, m)
        from_skew, interior = from_skew.to(r.device), interior.to(r.device)  # the layout is cached on the CPU
        rb = torch.where(interior[None], r, torch.full_like(r, -BIG))
        rb[:, n + m + 2, n + 1] = r[:, n + m, n]
        e = torch.zeros_like(r)
        e[:, n + m + 2, n + 1] = 1.0
        for d, lo, hi in reversed(steps):
            rij = rb[:, d, lo:hi]
            wa = torch.exp((rb[:, d + 1, lo + 1 : hi + 1] - rij - c[:, d + 1, lo + 1 : hi + 1]) / gamma)  # (i+1, j)
            wb = torch.exp((rb[:, d + 1, lo:hi] - rij - c[:, d + 1, lo:hi]) / gamma)  # (i, j+1)
            wc = torch.exp((rb[:, d + 2, lo + 1 : hi + 1] - rij - c[:, d + 2, lo + 1 : hi + 1]) / gamma)  # (i+1, j+1)
            e[:, d, lo:hi] = e[:, d + 1, lo + 1 : hi + 1] * wa + e[:, d + 1, lo:hi] * wb + e[:, d + 2, lo + 1 : hi + 1] * wc
        g = e.reshape(bsz, -1)[:, from_skew.reshape(-1)].reshape(bsz, n, m)
        return grad[:, None, None] * g, None


def soft_dtw_cost(cost: torch.Tensor, gamma: float) -> torch.Tensor:
    """Soft-DTW value of a cost matrix [B, n, m] → [B] (softmin_γ(x) = −γ log Σ exp(−x/γ))."""
    if cost.dim() != 3:
        raise ValueError(f"soft_dtw_cost: expected cost [B, n, m], got {tuple(cost.shape)}")
    return _SoftDTW.apply(cost, gamma)


def soft_dtw(a: torch.Tensor, b: torch.Tensor, gamma: float) -> torch.Tensor:
    """Soft-DTW distance between scalar sequences a [B, n] and b [B, m], squared point cost → [B]."""
    if a.dim() != 2 or b.dim() != 2 or a.shape[0] != b.shape[0]:
        raise ValueError(f"soft_dtw: expected a [B, n] and b [B, m], got {tuple(a.shape)} and {tuple(b.shape)}")
    return soft_dtw_cost((a[:, :, None] - b[:, None, :]) ** 2, gamma)


def soft_dtw_divergence(a: torch.Tensor, b: torch.Tensor, gamma: float) -> torch.Tensor:
    """S(a, b) = D(a, b) − ½(D(a, a) + D(b, b)) per batch item → [B] (≥ 0, zero iff a = b)."""
    if a.shape == b.shape:
        bsz = a.shape[0]
        d = soft_dtw(torch.cat([a, a, b], 0), torch.cat([b, a, b], 0), gamma)
        return d[:bsz] - 0.5 * (d[bsz : 2 * bsz] + d[2 * bsz :])
    return soft_dtw(a, b, gamma) - 0.5 * (soft_dtw(a, a, gamma) + soft_dtw(b, b, gamma))
