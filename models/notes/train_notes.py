"""The note network: per-frame onset and sounding probabilities of the 88 piano keys, read from
the compressed tuned pitch energy every Accord audio feature starts from.

    python3 models/notes/train_notes.py train --data models/notes-data --out models/runs/notes --minutes 20
    python3 models/notes/train_notes.py export --run models/runs/notes --out models/accord-notes
    python3 models/notes/train_notes.py pack --data models/notes-data --out models/notes-pack.npz
    python3 models/notes/train_notes.py score --model models/accord-notes/model.onnx --data models/notes-data

Data: `electron/tools/training/dumpNotes.ts` (excerpts of the train / validation performances, each
rendered with a drawn soundfont, General-MIDI timbre and recording condition). Training samples
are random crops of --crop frames with a random level change and spectral tilt (the input is
log1p(η·E), so a gain g maps x to log1p(g·expm1(x))), added noise in 30 % of them, and a random
transposition by up to ±3 keys of input and targets alike; --init starts from an exported model's weights
(fine-tuning it on a new dump); dropout 0.2 after the dense layer. Loss: binary cross-entropy on onsets (positives weighted
--onset-weight) and on sounding frames. Every --eval-seconds the validation excerpts are scored:
onset cross-entropy, onset F1 (peaks ≥ 0.5 within ±1 frame of a true onset), frame F1 (sounding
≥ 0.5). The lowest validation onset cross-entropy is kept. Onset targets cover the frame nearest
the onset and the next (the rise of a note spans both with centred windows). Device cuda when available. Runs under torch 1.13 and 2.x.
"""
import time

T0 = time.time()

import argparse  # noqa: E402
import glob  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

P = 88
MIN_PITCH = 21


class NoteNet(nn.Module):
    """Fully convolutional over (time, key), the same weights for every key (so what it learns of
    one key holds for all): the input and its rise (positive first difference) → two 3 × 3
    convolutions → convolutions across the keyboard at octave (dilation 12) and fifth (dilation 7)
    spacing, where a note's partials lie → a temporal convolution → per key two logits (onset,
    sounding). Output [B, T, 2·88] logits (onsets 0..87, sounding 88..175)."""

    def __init__(self, channels=16, hidden=16, scale=0.25, dropout=0.1):
        super().__init__()
        c, h = channels, hidden
        self.scale = scale
        self.local = nn.Sequential(
            nn.Conv2d(2, c, (3, 3), padding=(1, 1)),
            nn.ReLU(),
            nn.Conv2d(c, c, (3, 3), padding=(1, 1)),
            nn.ReLU(),
        )
        self.octaves = nn.Conv2d(c, c, (1, 5), padding=(0, 24), dilation=(1, 12))
        self.fifths = nn.Conv2d(c, c, (1, 3), padding=(0, 7), dilation=(1, 7))
        self.temporal = nn.Conv2d(c, h, (5, 1), padding=(2, 0))
        self.drop = nn.Dropout(dropout)
        self.out = nn.Conv2d(h, 2, (1, 1))

    def forward(self, x):  # x [B, T, 88] compressed pitch energy
        x = (x * self.scale).unsqueeze(1)  # [B, 1, T, 88]
        rise = F.relu(x - F.pad(x, (0, 0, 1, 0))[:, :, :-1])
        h = self.local(torch.cat([x, rise], 1))
        h = F.relu(h + self.octaves(h))
        h = F.relu(h + self.fifths(h))
        h = self.drop(F.relu(self.temporal(h)))
        o = self.out(h)  # [B, 2, T, 88]
        b, _, t, p = o.shape
        return o.permute(0, 2, 1, 3).reshape(b, t, 2 * p)


class Exported(nn.Module):
    """What the ONNX file computes: probabilities [1, T, 176] from the input [1, T, 88]."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.sigmoid(self.net(x))


def labels_of(notes, frames, hop):
    """Onset and sounding targets [frames, 88] (uint8) of [pitch, onset s, end s, velocity] rows."""
    onset = np.zeros((frames, P), np.uint8)
    sounding = np.zeros((frames, P), np.uint8)
    for pitch, t0, t1, _vel in notes:
        k = int(pitch) - MIN_PITCH
        f0 = int(round(t0 / hop))
        f1 = min(frames - 1, int(round(t1 / hop)))
        if 0 <= f0 < frames:
            # The rise of a note spans the frame nearest its onset and the next (centred windows).
            onset[f0 : f0 + 2, k] = 1
            sounding[f0 : f1 + 1, k] = 1
    return onset, sounding


def read_excerpt(path):
    """(input [frames, 88] uint8, metadata) of one excerpt of a dump, from its .json path."""
    meta = json.load(open(path))
    return np.fromfile(path[:-5] + ".u8", dtype=np.uint8).reshape(meta["frames"], P), meta


def read_dump(folder, limit=None):
    """(input [frames, 88] uint8, notes rows) of every excerpt of a dump split folder."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json")))[:limit]:
        x, meta = read_excerpt(path)
        out.append((x, meta["notes"]))
    return out


def load_split(data, split, hop, limit=None):
    """Excerpts (input, onset, sounding) of a split, from a dump folder or a pack (.npz)."""
    if data.endswith(".npz"):
        z = np.load(data)
        xo, no = z[split + "_x_offsets"], z[split + "_n_offsets"]
        x, notes = z[split + "_x"], z[split + "_notes"]
        raw = [(x[xo[k] : xo[k + 1]].reshape(-1, P), notes[no[k] : no[k + 1]].tolist()) for k in range(len(xo) - 1)]
        raw = raw[:limit]
    else:
        raw = read_dump(os.path.join(data, split), limit)
    return [(x, *labels_of(n, x.shape[0], hop)) for x, n in raw]


def pack(args):
    """One compressed file of a dump (inputs and notes of both splits) to carry to a GPU machine."""
    arrays = {}
    for split in ("train", "validation"):
        raw = read_dump(os.path.join(args.data, split))
        arrays[split + "_x"] = np.concatenate([x.reshape(-1) for x, _ in raw])
        arrays[split + "_x_offsets"] = np.cumsum([0] + [x.size for x, _ in raw])
        arrays[split + "_notes"] = np.array([r for _, n in raw for r in n], np.float32).reshape(-1, 4)
        arrays[split + "_n_offsets"] = np.cumsum([0] + [len(n) for _, n in raw])
    info = json.load(open(os.path.join(args.data, "info.json")))
    arrays["info"] = np.frombuffer(json.dumps(info).encode(), np.uint8)
    np.savez_compressed(args.out, **arrays)
    print(f"packed {args.data} → {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB)")


def data_info(data):
    if data.endswith(".npz"):
        return json.loads(bytes(np.load(data)["info"]).decode())
    return json.load(open(os.path.join(data, "info.json")))


def batch_from(items, rng, crop, batch, quant, device, level=True):
    """A batch of random crops: input with a random level change, onset and sounding targets."""
    xs, ons, sos = [], [], []
    for _ in range(batch):
        x, o, s = items[rng.integers(len(items))]
        t = x.shape[0]
        a = rng.integers(0, max(1, t - crop))
        n = min(crop, t - a)
        for dst, src in ((xs, x), (ons, o), (sos, s)):
            c = np.zeros((crop, P), np.uint8)
            c[:n] = src[a : a + n]
            dst.append(c)
    f = lambda a: torch.from_numpy(np.stack(a)).to(device).float()  # noqa: E731
    x, on, so = f(xs) / quant, f(ons), f(sos)
    if level:
        # Level and spectral tilt (gain per key, ±tilt dB across the keyboard), a little noise.
        g = torch.empty(batch, 1, 1, device=device).uniform_(math.log(0.1), math.log(4.0))
        keys = torch.linspace(-1, 1, P, device=device).view(1, 1, P)
        tilt = torch.empty(batch, 1, 1, device=device).uniform_(-1, 1) * (math.log(10) * 0.6)
        e = torch.expm1(x) * torch.exp(g + tilt * keys)
        noise = torch.rand(batch, 1, 1, device=device) * 3 * torch.rand_like(x)
        x = torch.log1p(e + noise * (torch.rand(batch, 1, 1, device=device) < 0.3))
        # Transposition by up to ±3 keys, the same for input and targets (edges filled with silence).
        out = []
        for t in (x, on, so):
            out.append(t)
        shifts = rng.integers(-3, 4, size=batch)
        for b, k in enumerate(shifts):
            if k == 0:
                continue
            for t in out:
                t[b] = torch.roll(t[b], int(k), dims=1)
                if k > 0:
                    t[b, :, :k] = 0
                else:
                    t[b, :, k:] = 0
        x, on, so = out
    return x, on, so


def f1(tp, fp, fn):
    return 2 * tp / max(1, 2 * tp + fp + fn)


def evaluate(net, items, quant, device):
    net.eval()
    tp = fp = fn = ftp = ffp = ffn = 0
    loss = 0.0
    with torch.no_grad():
        for x, o, s in items:
            xt = torch.from_numpy(x.astype(np.float32) / quant).unsqueeze(0).to(device)
            logits = net(xt)[0].float().cpu()
            loss += float(F.binary_cross_entropy_with_logits(logits[:, :P], torch.from_numpy(o).float()))
            prob = torch.sigmoid(logits).numpy()
            on = prob[:, :P]
            peak = (on >= 0.5) & (on >= np.roll(on, 1, 0)) & (on >= np.roll(on, -1, 0))
            true = o.astype(bool)
            true = true & ~np.roll(true, 1, 0)  # one per onset: the first frame of its target
            near = true | np.roll(true, 1, 0) | np.roll(true, -1, 0) | np.roll(true, 2, 0)
            pnear = peak | np.roll(peak, 1, 0) | np.roll(peak, -1, 0)
            tp += int((peak & near).sum())
            fp += int((peak & ~near).sum())
            fn += int((true & ~pnear).sum())
            fr = prob[:, P:] >= 0.5
            st = s.astype(bool)
            ftp += int((fr & st).sum())
            ffp += int((fr & ~st).sum())
            ffn += int((~fr & st).sum())
    net.train()
    return {"onset_f1": f1(tp, fp, fn), "frame_f1": f1(ftp, ffp, ffn), "val_onset_bce": loss / max(1, len(items))}


def weights_of_onnx(path):
    """The NoteNet state dict stored in an exported model (its initializers are named net.<key>)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    return {
        i.name[len("net.") :]: torch.from_numpy(numpy_helper.to_array(i).copy())
        for i in model.graph.initializer
        if i.name.startswith("net.")
    }


def train(args):
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = "cuda" if torch.cuda.is_available() and args.device != "cpu" else "cpu"
    if args.threads:
        torch.set_num_threads(args.threads)
    info = data_info(args.data)
    quant = float(info["inputQuant"])
    hop = float(info["hopSeconds"])
    train_items = load_split(args.data, "train", hop)
    val_items = load_split(args.data, "validation", hop, args.val_limit)
    net = NoteNet(args.channels, args.hidden).to(device)
    if args.init:
        net.load_state_dict(weights_of_onnx(args.init))
        print(f"weights from {args.init}", flush=True)
    params = sum(p.numel() for p in net.parameters())
    os.makedirs(args.out, exist_ok=True)
    frames = sum(x.shape[0] for x, _, _ in train_items)
    print(
        f"notes on {device}: {len(train_items)} train excerpts ({frames / 43.07 / 3600:.1f} h), "
        f"{len(val_items)} validation, {params} parameters, budget {args.minutes} min",
        flush=True,
    )
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    pos = torch.tensor(args.onset_weight, device=device)
    budget = args.minutes * 60
    log = open(os.path.join(args.out, "log.jsonl"), "w")
    best = None
    step = 0
    last_eval = time.time()
    while True:
        elapsed = time.time() - T0
        if elapsed > budget:
            break
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for g in opt.param_groups:
            g["lr"] = lr
        x, o, s = batch_from(train_items, rng, args.crop, args.batch, quant, device)
        logits = net(x)
        loss = F.binary_cross_entropy_with_logits(logits[..., :P], o, pos_weight=pos) + F.binary_cross_entropy_with_logits(
            logits[..., P:], s
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if time.time() - last_eval > args.eval_seconds or time.time() - T0 > budget:
            last_eval = time.time()
            m = evaluate(net, val_items, quant, device)
            m.update(step=step, minutes=round((time.time() - T0) / 60, 3), loss=round(float(loss.detach()), 4))
            better = best is None or m["val_onset_bce"] < best["val_onset_bce"]
            if better:
                best = m
                torch.save({k: v.detach().cpu() for k, v in net.state_dict().items()}, os.path.join(args.out, "best.pt"))
            log.write(json.dumps(m) + "\n")
            log.flush()
            print(
                f"{m['minutes']:6.2f} min step {step:6d} loss {m['loss']:.4f} | onset F1 {m['onset_f1']:.3f} "
                f"frame F1 {m['frame_f1']:.3f}{' *' if better else ''}",
                flush=True,
            )
    run = {
        "args": vars(args),
        "device": device,
        "parameters": params,
        "train_excerpts": len(train_items),
        "train_hours": round(frames / 43.07 / 3600, 2),
        "validation_excerpts": len(val_items),
        "steps": step,
        "best": best,
        "torch": torch.__version__,
    }
    json.dump(run, open(os.path.join(args.out, "run.json"), "w"), indent=1)
    json.dump(info, open(os.path.join(args.out, "data_info.json"), "w"), indent=1)
    # Golden input for the export: 64 frames of the first validation excerpt.
    val_items[0][0][200:264].tofile(os.path.join(args.out, "golden_input.u8"))
    print(f"done: {step} steps; best {best}", flush=True)


def score(args):
    """Transcription figures of an exported model on a dump split, all excerpts and by timbre
    (the piano, other programs), so two models can be compared on the same excerpts."""
    info = data_info(args.data)
    quant, hop = float(info["inputQuant"]), float(info["hopSeconds"])
    a = json.load(open(os.path.join(os.path.dirname(args.model), "config.json")))["trainingArgs"]
    net = NoteNet(a["channels"], a["hidden"])
    net.load_state_dict(weights_of_onnx(args.model))
    paths = sorted(glob.glob(os.path.join(args.data, args.split, "*.json")))[: args.limit]
    groups = {"all": [], "piano": [], "other": []}
    for path in paths:
        x, meta = read_excerpt(path)
        item = (x, *labels_of(meta["notes"], x.shape[0], hop))
        groups["all"].append(item)
        groups["piano" if meta["augmentation"]["program"] == 0 else "other"].append(item)
    for name, items in groups.items():
        if items:
            m = evaluate(net, items, quant, "cpu")
            print(json.dumps({"model": args.model, "excerpts": name, "n": len(items), **{k: round(v, 4) for k, v in m.items()}}))


def export(args):
    import onnx  # noqa: F401

    run = json.load(open(os.path.join(args.run, "run.json")))
    a = run["args"]
    net = NoteNet(a["channels"], a["hidden"])
    net.load_state_dict(torch.load(os.path.join(args.run, "best.pt"), map_location="cpu"))
    net.eval()
    # Eval mode on the wrapper too: the ONNX export restores the wrapper's mode on every submodule.
    model = Exported(net).eval()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    dummy = torch.zeros(1, 64, P)
    torch.onnx.export(
        model,
        dummy,
        path,
        input_names=["energy"],
        output_names=["notes"],
        dynamic_axes={"energy": {1: "frames"}, "notes": {1: "frames"}},
        opset_version=13,
    )
    data = open(path, "rb").read()
    sha = hashlib.sha256(data).hexdigest()
    open(path + ".sha256", "w").write(f"{sha}  model.onnx\n")
    info = json.load(open(os.path.join(args.run, "data_info.json")))
    quant = float(info["inputQuant"])
    golden = np.fromfile(os.path.join(args.run, "golden_input.u8"), dtype=np.uint8).reshape(-1, P)
    model.eval()
    with torch.no_grad():
        out = model(torch.from_numpy(golden.astype(np.float32) / quant).unsqueeze(0))[0].numpy()
    json.dump(
        {
            "inputQuant": quant,
            "frames": int(golden.shape[0]),
            "input": golden.flatten().tolist(),
            "output": [round(float(v), 6) for v in out.flatten().tolist()],
        },
        open(os.path.join(args.out, "golden.json"), "w"),
    )
    config = {
        "name": "accord-notes",
        "version": f"accord-notes-{a['channels']}x{a['hidden']}-s{a['seed']}-{time.strftime('%Y-%m-%d')}",
        "inputName": "energy",
        "outputName": "notes",
        "pitches": P,
        "minPitch": MIN_PITCH,
        "input": "log1p(compressionEta · E) of the tuned, noise-floor-removed pitch energy (tunedPitchEnergy), [1, frames, 88]",
        "output": "[1, frames, 176] probabilities: onsets of MIDI 21..108, then sounding (pedal included)",
        "receptiveFieldFrames": 5,
        "featureParamsVersion": info["featureParams"]["version"],
        "featureParams": info["featureParams"],
        "sha256": sha,
        "parameters": run["parameters"],
        "validation": run["best"],
        "training": {k: run[k] for k in ("device", "steps", "train_excerpts", "train_hours", "validation_excerpts", "torch")},
        "trainingArgs": a,
    }
    json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=1)
    print(f"exported {path} ({len(data)} bytes, sha256 {sha[:12]}…)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", default="models/notes-data")
    t.add_argument("--out", required=True)
    t.add_argument("--minutes", type=float, required=True)
    t.add_argument("--channels", type=int, default=16)
    t.add_argument("--hidden", type=int, default=16)
    t.add_argument("--crop", type=int, default=200)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--onset-weight", type=float, default=4.0)
    t.add_argument("--eval-seconds", type=float, default=120)
    t.add_argument("--val-limit", type=int, default=None)
    t.add_argument("--threads", type=int, default=0)
    t.add_argument("--device", default="auto")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--init", default=None, help="start from this exported model's weights (same channels and hidden)")
    k = sub.add_parser("pack")
    k.add_argument("--data", default="models/notes-data")
    k.add_argument("--out", default="models/notes-pack.npz")
    e = sub.add_parser("export")
    e.add_argument("--run", required=True)
    e.add_argument("--out", required=True)
    c = sub.add_parser("score")
    c.add_argument("--model", required=True, help="an exported model.onnx (its config.json beside it)")
    c.add_argument("--data", default="models/notes-data")
    c.add_argument("--split", default="validation")
    c.add_argument("--limit", type=int, default=None)
    args = p.parse_args()
    {"train": train, "export": export, "pack": pack, "score": score}[args.cmd](args)


if __name__ == "__main__":
    main()
