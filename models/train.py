"""Train the neural aligner.

    /usr/bin/python3 models/train.py --variant ca|cd --loss sdtw|ce --minutes M --seed S --out models/runs/<name> [--resume]

Time-budgeted (wall clock), seeded, resumable from <out>/last.pt. Logs one JSON line per epoch to
<out>/log.jsonl (train loss, validation loss, validation mean absolute position error in input
cells and in score frames, % of rows within one cell) and keeps the checkpoint with the lowest
validation error (cells) as <out>/best.pt.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accordnet import data as D  # noqa: E402
from accordnet.model import AccordNet  # noqa: E402
from accordnet.sdtw import soft_dtw_divergence  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train the Accord neural aligner.")
    p.add_argument("--variant", choices=["ca", "cd"], default="ca")
    p.add_argument("--loss", choices=["sdtw", "ce"], default="sdtw")
    p.add_argument("--minutes", type=float, required=True, help="wall-clock training budget")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    p.add_argument("--resume", action="store_true")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--gamma", type=float, default=1.0, help="soft-DTW smoothing (positions in pooled cells)")
    p.add_argument("--l1", type=float, default=0.0, help="weight of an extra L1 term (cells) for sdtw")
    p.add_argument("--bins", type=int, default=128, help="CE: score-position bins")
    p.add_argument("--augment", type=float, default=0.5, help="probability of a crop-and-resample sub-excerpt")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--input-pool", type=int, default=2, help="average-pool the L × L input by this before the encoder (CPU budget)")
    p.add_argument("--sdtw-pool", type=int, default=2, help="soft-DTW on the output/target sequences average-pooled by this (CPU budget)")
    p.add_argument("--widths", default="16,32,64,64", help="encoder channels")
    p.add_argument("--hidden", type=int, default=512, help="FC hidden units")
    p.add_argument("--readout", choices=["fc", "map"], default="fc", help="fc: two FC layers (the paper); map: per-row readout of a score map")
    p.add_argument("--epoch-steps", type=int, default=0, help="steps per epoch (0: one pass over the training split)")
    p.add_argument("--reload", action="store_true", help="re-read the training split at each epoch when the manifest changed (data still being generated)")
    return p.parse_args(argv)


def build_net(L: int, channels: int, a: dict) -> AccordNet:
    """The network a run's arguments describe (train.py and export.py share it)."""
    widths = tuple(int(w) for w in str(a.get("widths", "16,32,64,64")).split(","))
    return AccordNet(L=L, in_channels=channels, variant=a["variant"], head=a["loss"], bins=a["bins"], widths=widths,
                     hidden=a.get("hidden", 512), input_pool=a.get("input_pool", 2), readout=a.get("readout", "fc"),
                     map_proj=a.get("map_proj", 0) or 0)


def loss_fn(net: AccordNet, out: torch.Tensor, y: torch.Tensor, args) -> torch.Tensor:
    L = y.shape[1]
    if args.loss == "ce":
        bins = out.shape[-1]
        rows = out.shape[1]
        if rows != L:  # map readout: one class row per pooled row, target at the row's centre
            y = F.avg_pool1d(y[:, None], L // rows)[:, 0]
        target = (y * bins).long().clamp(0, bins - 1)
        return F.cross_entropy(out.reshape(-1, bins), target.reshape(-1))
    # Soft-DTW divergence on the sequences pooled by `sdtw_pool` (CPU budget), positions in pooled cells.
    k = args.sdtw_pool
    half = L // k
    a = (F.avg_pool1d(out[:, None], k)[:, 0] if k > 1 else out) * half
    b = (F.avg_pool1d(y[:, None], k)[:, 0] if k > 1 else y) * half
    loss = soft_dtw_divergence(a, b, args.gamma).mean() / half
    if args.l1 > 0:
        loss = loss + args.l1 * (out - y).abs().mean() * L
    return loss


@torch.no_grad()
def evaluate(net: AccordNet, split: D.Split, args) -> dict:
    net.eval()
    losses, errs_cells, errs_frames = [], [], []
    for s in range(0, split.n, 16):
        idx = np.arange(s, min(split.n, s + 16))
        xb, yb = split.batch(idx)
        x, y = torch.from_numpy(xb), torch.from_numpy(yb)
        out = net(x)
        losses.append(float(loss_fn(net, out, y, args)) * len(idx))
        err = (net.positions(out) - y).abs().numpy()
        errs_cells.append(err * split.L)
        errs_frames.append(err * split.score_frames[idx, None])
    net.train()
    cells = np.concatenate(errs_cells)
    frames = np.concatenate(errs_frames)
    return {
        "val_loss": sum(losses) / split.n,
        "val_mae_cells": float(cells.mean()),
        "val_mae_frames": float(frames.mean()),
        "val_within_1_cell_pct": float((cells <= 1.0).mean() * 100),
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    manifest, manifest_sha, train, val = D.load(args.data)
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(args.seed)
    net = build_net(manifest["L"], manifest["channels"], vars(args))
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=1e-5)
    state = {"epoch": 0, "elapsed": 0.0, "best": math.inf, "step": 0}
    last_path, best_path = os.path.join(args.out, "last.pt"), os.path.join(args.out, "best.pt")
    if args.resume and os.path.exists(last_path):
        ck = torch.load(last_path)
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        state = ck["state"]
        rng.set_state(ck["numpy_rng"])
        torch.set_rng_state(ck["torch_rng"])
        print(f"resumed from {last_path}: epoch {state['epoch']}, {state['elapsed'] / 60:.1f} min")
    run_info = {
        "args": vars(args),
        "L": manifest["L"],
        "channels": manifest["channels"],
        "manifestSha256": manifest_sha,
        "trainSamples": train.n,
        "validationSamples": val.n,
        "parameters": sum(p.numel() for p in net.parameters()),
        "torch": torch.__version__,
    }
    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump(run_info, f, indent=1)
    budget = args.minutes * 60
    print(f"{args.variant}+{args.loss}: {train.n} train / {val.n} validation samples, {run_info['parameters']} parameters, budget {args.minutes} min")
    net.train()
    start = time.time() - state["elapsed"]
    done = False
    manifest_path = os.path.join(args.data, "manifest.json")
    manifest_mtime = os.path.getmtime(manifest_path)
    while not done:
        if args.reload and os.path.getmtime(manifest_path) != manifest_mtime:
            manifest_mtime = os.path.getmtime(manifest_path)
            manifest, manifest_sha, train, _ = D.load(args.data)
            run_info.update({"manifestSha256": manifest_sha, "trainSamples": train.n})
            with open(os.path.join(args.out, "run.json"), "w") as f:
                json.dump(run_info, f, indent=1)
            print(f"reloaded {manifest_path}: {train.n} train samples")
        order = rng.permutation(train.n)
        if args.epoch_steps > 0:
            order = np.concatenate([rng.permutation(train.n) for _ in range(1 + args.epoch_steps * args.batch // max(1, train.n))])[: args.epoch_steps * args.batch]
        tl, tn = 0.0, 0
        for s in range(0, len(order) - args.batch + 1, args.batch):
            elapsed = time.time() - start
            if elapsed >= budget:
                done = True
                break
            for g in opt.param_groups:
                g["lr"] = args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * elapsed / budget)))
            xb, yb = train.batch(order[s : s + args.batch])
            for k in range(len(xb)):
                if rng.rand() < args.augment:
                    xb[k], yb[k] = D.crop_augment(xb[k], yb[k], rng)
            out = net(torch.from_numpy(xb))
            loss = loss_fn(net, out, torch.from_numpy(yb), args)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            tl += float(loss)
            tn += 1
            state["step"] += 1
        if tn == 0:
            break
        state["epoch"] += 1
        state["elapsed"] = time.time() - start
        metrics = evaluate(net, val, args)
        row = {"epoch": state["epoch"], "step": state["step"], "minutes": round(state["elapsed"] / 60, 2), "train_loss": tl / tn, "partial": done, **metrics}
        improved = metrics["val_mae_cells"] < state["best"]
        if improved:
            state["best"] = metrics["val_mae_cells"]
            torch.save({"model": net.state_dict(), "metrics": row, "run": run_info}, best_path)
        row["best"] = improved
        print(json.dumps(row), flush=True)
        with open(os.path.join(args.out, "log.jsonl"), "a") as f:
            f.write(json.dumps(row) + "\n")
        torch.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "state": state, "numpy_rng": rng.get_state(), "torch_rng": torch.get_rng_state()}, last_path)
    print(f"done: best validation error {state['best']:.2f} cells → {best_path}")


if __name__ == "__main__":
    main()
