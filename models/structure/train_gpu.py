"""Train the structure network on samples cut on the fly from a block dump (models/structure/blocks.py).

    python3 models/structure/train_gpu.py --blocks models/blocks --out <run> --minutes 8
        [--readout map --loss ce]                       # default: CA, map readout, CE over the 256 columns
        [--readout fc --loss sdtw --l1 0.2]             # the paper's head: FC (dropout 0.4), soft-DTW divergence (+ L1)

Device cuda when available, else cpu. Wall-clock budget (--minutes, counted from the start of the
process: data loading, validation set and evaluations included), Adam, cosine learning rate over
the budget. Training samples come from a DataLoader over an IterableDataset with --workers
processes, each seeded differently. Every --eval-seconds the fixed validation set (cached .npy) is
evaluated: mean |pred − true| in cells (positions × L) overall and on the multi samples, % of rows
within one cell, jump recall / precision on rows. Writes <out>/run.json, <out>/log.jsonl (one line
per evaluation), <out>/best.pt (lowest validation error; CPU tensors, plain dicts, loadable by
torch 1.13) and <out>/golden_input.u8 (validation sample 0, for export.py). Runs under torch 1.13 /
numpy 1.24 and torch 2.x / numpy 2.x.
"""
import time

T0 = time.time()  # the budget counts from here (imports, data, validation set included)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
from structure import blocks as BL  # noqa: E402
from train import build_net, loss_fn  # noqa: E402


def parse_kinds(text: str) -> dict:
    out = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        out[name.strip()] = float(value)
    return out


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train the structure network on block-dump samples.")
    p.add_argument("--blocks", default=os.path.join(MODELS, "blocks"), help="dump folder (dumpFeatures.ts)")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, required=True, help="wall-clock budget from process start")
    p.add_argument("--L", type=int, default=256)
    p.add_argument("--variant", choices=["ca", "cd"], default="ca")
    p.add_argument("--readout", choices=["map", "fc"], default="map")
    p.add_argument("--loss", choices=["ce", "sdtw"], default="ce")
    p.add_argument("--input-pool", type=int, default=1)
    p.add_argument("--widths", default="16,32,64,64")
    p.add_argument("--hidden", type=int, default=512, help="FC hidden units (fc readout)")
    p.add_argument("--bins", type=int, default=128, help="CE bins of the fc readout (the map readout's classes are its columns)")
    p.add_argument("--map-proj", type=int, default=0, help="map readout: 1×1 projection of the context to this many channels (0: none)")
    p.add_argument("--sdtw-pool", type=int, default=4, help="soft-DTW on the position sequences average-pooled by this")
    p.add_argument("--gamma", type=float, default=1.0)
    p.add_argument("--l1", type=float, default=0.0, help="weight of an L1 term (cells) added to soft-DTW")
    p.add_argument("--batch", type=int, default=0, help="batch size (0: 32 on cuda, 8 on cpu)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-5)
    p.add_argument("--workers", type=int, default=12, help="sample-generating DataLoader processes")
    p.add_argument("--eval-seconds", type=float, default=60.0)
    p.add_argument("--val-samples", type=int, default=0, help="validation samples (0: 400 on cuda, 16 on cpu)")
    p.add_argument("--val-seed", type=int, default=20261204)
    p.add_argument("--val-cache", default=os.path.join(tempfile.gettempdir(), "accord-valsets"))
    p.add_argument("--kinds", default="multi=0.5,excerpt=0.25,whole=0.1,jumps=0.15", help="training sample kinds and probabilities")
    p.add_argument("--whole-score", type=float, default=0.45, help="probability that the score range is the whole piece")
    p.add_argument("--max-margin-beats", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    p.add_argument("--amp", choices=["bf16", "off"], default="bf16", help="bfloat16 autocast on cuda")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: 1 on cpu, torch's default on cuda)")
    return p.parse_args(argv)


class BlockSamples(IterableDataset):
    """Endless training samples; worker k of a run with seed s draws from the seed sequence (s, k)."""

    def __init__(self, dump: BL.Dump, args) -> None:
        super().__init__()
        self.dump, self.args = dump, args

    def __iter__(self):
        info = get_worker_info()
        wid = info.id if info is not None else 0
        a = self.args
        gen = BL.SampleGenerator(self.dump, "train", L=a.L, seed=[a.seed, wid], kinds=parse_kinds(a.kinds),
                                 whole_score=a.whole_score, max_margin_beats=a.max_margin_beats)
        while True:
            x, y, _ = gen.sample()
            yield torch.from_numpy(x), torch.from_numpy(y)


def _worker_init(_):
    torch.set_num_threads(1)


def amp_context(device: str, mode: str):
    if device == "cuda" and mode == "bf16":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@torch.no_grad()
def evaluate(net, val_x: np.ndarray, val_y: np.ndarray, meta: list, args, device: str, amp: str) -> dict:
    """Validation metrics (cells = positions × L; jumps on the ±2-row median-filtered predicted curve)."""
    net.eval()
    L = args.L
    preds, losses = [], []
    for s in range(0, len(val_x), 64):
        xb = torch.from_numpy(val_x[s : s + 64]).to(device).float().div_(255.0)
        yb = torch.from_numpy(val_y[s : s + 64]).to(device)
        with amp_context(device, amp):
            out = net(xb)
        out = out.float()
        losses.append(float(loss_fn(net, out, yb, args)) * len(xb))
        preds.append(net.positions(out).cpu().numpy())
    net.train()
    pred = np.concatenate(preds) * L
    true = val_y * L
    err = np.abs(pred - true)
    multi = np.array([m["kind"] == "multi" for m in meta])
    span = np.array([(m["scoreBlocks"][1] - m["scoreBlocks"][0]) for m in meta], dtype=np.float64) * args.block_seconds
    n_true = n_pred = hits = 0
    for k in range(len(pred)):
        tj = BL.jumps_of(true[k])
        pj = BL.jumps_of(BL.median5(pred[k]))
        n_true += len(tj)
        n_pred += len(pj)
        hits += BL.match_jumps(pj, tj)
    return {
        "val_loss": sum(losses) / len(val_x),
        "val_mae_cells": float(err.mean()),
        "val_mae_cells_multi": float(err[multi].mean()) if multi.any() else None,
        "val_mae_seconds": float((err / L * span[:, None]).mean()),
        "val_within_1_cell_pct": float((err <= 1.0).mean() * 100),
        "jump_recall": hits / n_true if n_true else None,
        "jump_precision": hits / n_pred if n_pred else None,
        "jumps_true": n_true,
        "jumps_pred": n_pred,
    }


def diagonal_baseline(val_y: np.ndarray, L: int) -> float:
    rows = (np.arange(L) + 0.5)
    return float(np.abs(val_y * L - rows[None]).mean())


def save_checkpoint(path: str, net, args, metrics: dict) -> None:
    state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    tmp = path + ".tmp"
    torch.save({"model": state, "args": dict(vars(args)), "metrics": dict(metrics)}, tmp, _use_new_zipfile_serialization=True)
    os.replace(tmp, path)


def main(argv=None) -> None:
    args = parse_args(argv)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    if args.batch <= 0:
        args.batch = 32 if device == "cuda" else 8
    if args.val_samples <= 0:
        args.val_samples = 400 if device == "cuda" else 16
    amp = args.amp if device == "cuda" else "off"
    if args.threads > 0 or device == "cpu":
        torch.set_num_threads(args.threads if args.threads > 0 else 1)
    if device == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    budget = args.minutes * 60

    dump = BL.Dump(args.blocks)
    args.block_seconds = dump.block_seconds
    val_x, val_y, val_meta = BL.validation_set(dump, n=args.val_samples, seed=args.val_seed, L=args.L, cache_dir=args.val_cache)
    with open(os.path.join(args.out, "golden_input.u8"), "wb") as f:
        f.write(val_x[0].tobytes())
    # Start the sample workers before CUDA is initialised in this process (they fork).
    loader_kw = dict(batch_size=args.batch, num_workers=args.workers, pin_memory=device == "cuda", worker_init_fn=_worker_init)
    if args.workers > 0:
        loader_kw.update(persistent_workers=True, prefetch_factor=4)
    loader = iter(DataLoader(BlockSamples(dump, args), **loader_kw))
    net = build_net(args.L, 2, vars(args)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    kinds = {}
    for m in val_meta:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    run_info = {
        "data": "blocks",
        "args": vars(args),
        "L": args.L,
        "channels": 2,
        "device": device,
        "deviceName": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
        "blocks": os.path.abspath(args.blocks),
        "blockInfo": {k: dump.info.get(k) for k in ("blockFrames", "quant", "hopSeconds", "seed")},
        "featureParams": dump.info.get("featureParams"),
        "manifestSha256": dump.fingerprint("train"),
        "validationSha256": dump.fingerprint("validation"),
        "trainPerformances": len(dump.splits["train"]),
        "validationPerformances": len(dump.splits["validation"]),
        "skippedPerformances": dump.skipped,
        "trainSamples": "on the fly",
        "validationSamples": len(val_x),
        "validationKinds": kinds,
        "validationDiagonalCells": diagonal_baseline(val_y, args.L),
        "parameters": sum(p.numel() for p in net.parameters()),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }
    with open(os.path.join(args.out, "run.json"), "w") as f:
        json.dump(run_info, f, indent=1)
    print(f"{args.variant} {args.readout}+{args.loss} on {device} ({run_info['deviceName']}): {run_info['trainPerformances']} train / "
          f"{run_info['validationPerformances']} validation performances, {len(val_x)} validation samples {kinds}, "
          f"{run_info['parameters']} parameters, batch {args.batch}, {args.workers} workers, budget {args.minutes} min "
          f"(diagonal {run_info['validationDiagonalCells']:.2f} cells)", flush=True)

    log_path, best_path = os.path.join(args.out, "log.jsonl"), os.path.join(args.out, "best.pt")
    best = math.inf
    step, seen, tl, tn = 0, 0, 0.0, 0
    train_start = time.time()
    last_eval = train_start
    eval_cost = 0.0
    wait = 0.0

    evaluated_at = -1

    def do_eval(final: bool) -> None:
        nonlocal best, tl, tn, last_eval, eval_cost, evaluated_at
        if step == evaluated_at:
            return
        evaluated_at = step
        e0 = time.time()
        metrics = evaluate(net, val_x, val_y, val_meta, args, device, amp)
        eval_cost = time.time() - e0
        row = {"step": step, "samples": seen, "minutes": round((time.time() - T0) / 60, 3), "lr": opt.param_groups[0]["lr"],
               "train_loss": tl / tn if tn else None, "data_wait_s": round(wait, 1), "final": final, **metrics}
        improved = metrics["val_mae_cells"] < best
        if improved:
            best = metrics["val_mae_cells"]
            save_checkpoint(best_path, net, args, row)
        row["best"] = improved
        with open(log_path, "a") as f:
            f.write(json.dumps(row) + "\n")
        jr, jp = metrics["jump_recall"], metrics["jump_precision"]
        mm = metrics["val_mae_cells_multi"]
        print(f"{row['minutes']:6.2f} min step {step:6d} loss {row['train_loss'] if tn else float('nan'):.4f} | val {metrics['val_mae_cells']:.2f} cells"
              f" (multi {mm if mm is not None else float('nan'):.2f}), ≤1 cell {metrics['val_within_1_cell_pct']:.1f} %, jumps R "
              f"{jr if jr is not None else float('nan'):.2f} P {jp if jp is not None else float('nan'):.2f}{' *' if improved else ''}", flush=True)
        tl, tn = 0.0, 0
        last_eval = time.time()

    net.train()
    while True:
        now = time.time()
        # Stop early enough for the final evaluation to end inside the budget (before the first
        # evaluation its cost is guessed from the step time: a forward pass ≈ 1/3 of a step).
        guess = eval_cost if eval_cost > 0 else (now - train_start) / max(1, step) * len(val_x) / args.batch / 3 * 1.5
        if now - T0 + guess * 1.2 + 1.0 >= budget:
            break
        frac = min(1.0, (now - train_start) / max(1.0, budget - (train_start - T0)))
        for g in opt.param_groups:
            g["lr"] = args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        w0 = time.time()
        xb, yb = next(loader)
        wait += time.time() - w0
        xb = xb.to(device, non_blocking=True).float().div_(255.0)
        yb = yb.to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        try:
            with amp_context(device, amp):
                out = net(xb)
            loss = loss_fn(net, out.float(), yb, args)
            loss.backward()
        except RuntimeError as e:  # an op without a bfloat16 kernel: train in float32 instead
            if amp == "off" or step > 0:
                raise
            print(f"bf16 autocast failed ({str(e).splitlines()[0][:160]}); training in float32", flush=True)
            amp = "off"
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net, net(xb), yb, args)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
        tl += float(loss)
        tn += 1
        step += 1
        seen += len(xb)
        if time.time() - last_eval >= args.eval_seconds and time.time() - T0 + 2.5 * guess < budget:
            do_eval(False)
    do_eval(True)
    print(f"done: {step} steps, {seen} samples in {(time.time() - T0) / 60:.2f} min; best validation error {best:.2f} cells → {best_path}", flush=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # the endless sample workers need no orderly shutdown
