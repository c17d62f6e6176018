"""Training samples for the structure network, cut at training time from block dumps.

`electron/tools/training/dumpFeatures.ts` writes one rendering per performance as uint8 blocks
[blocks × 24] (12 unit-chroma sums, 12 DLNCO onset-chroma sums over `blockFrames` frames, each
round(sum × quant)) and the score features of every piece the same way. This module cuts
samples from them: a performance axis made of block ranges of one rendering (an excerpt, a whole
performance, or segments rejoined in another order), a score range, the 2 × L × L input built
exactly as `shared/neural/input.ts` builds it at inference (`cellRange`, `poolUnit12`,
`distanceMatrix`, with blocks in place of frames) and the target: the true score position of
every performance cell's centre, normalised over the score range.

Runs under numpy 1.24 and 2.x (no numpy-2-only API).
"""
import glob
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ASAP_TS = os.path.join(REPO, "shared", "formats", "asap.ts")


def ts_constant(path: str, name: str) -> float:
    """The number of a TypeScript file's `export const NAME = <number>;` line: constants both languages use are typed once, there."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = re.findall(rf"^export const {re.escape(name)} = ([0-9][0-9_.eE+-]*);", text, re.M)
    if len(found) != 1:
        raise ValueError(f"{path}: expected one line `export const {name} = <number>;`, found {len(found)}")
    return float(found[0].replace("_", ""))


LEVELS = 255  # INPUT_LEVELS of shared/neural/input.ts
# A beat interval this short marks an unplayed section (ASAP annotations; read from the TypeScript).
UNPLAYED_GAP_SECONDS = ts_constant(ASAP_TS, "UNPLAYED_GAP_SECONDS")
DEFAULT_INFO = {"blockFrames": 8, "quant": 255 / 8, "hopSeconds": 512 / 22050}
KINDS = ("multi", "excerpt", "whole", "jumps")
TRAIN_KINDS = {"multi": 0.5, "excerpt": 0.25, "whole": 0.10, "jumps": 0.15}
VALIDATION_KINDS = {"multi": 0.7, "excerpt": 0.2, "whole": 0.1, "jumps": 0.0}
CACHE_VERSION = 1


# ---------------------------------------------------------------------------------------------
# Loading


class Score:
    """One piece's score blocks [blocks × 24] uint8, beats (s) and duration (s)."""

    def __init__(self, key: str, blocks: np.ndarray, beats: np.ndarray, duration: float) -> None:
        self.key, self.blocks, self.beats, self.duration = key, blocks, beats, duration


class Performance:
    """One rendering: blocks [blocks × 24] uint8, beats (s, paired with its score's beats), played segments."""

    def __init__(self, name: str, performance: str, blocks: np.ndarray, beats: np.ndarray, score: Score, block_seconds: float) -> None:
        self.name, self.performance, self.blocks, self.beats, self.score = name, performance, blocks, beats, score
        self.duration = blocks.shape[0] * block_seconds
        # Played segments: maximal beat runs without an interval < UNPLAYED_GAP_SECONDS (cuts never straddle one).
        short = np.flatnonzero(np.diff(beats) < UNPLAYED_GAP_SECONDS)
        starts = np.concatenate([[0], short + 1])
        ends = np.concatenate([short, [len(beats) - 1]])
        keep = ends > starts
        self.segments = [(int(s), int(e)) for s, e in zip(starts[keep], ends[keep])]  # inclusive beat indices


class Dump:
    """A dump folder: info, scores and the performances of the requested splits."""

    def __init__(self, root: str, splits: Sequence[str] = ("train", "validation")) -> None:
        self.root = root
        info_path = os.path.join(root, "info.json")
        if os.path.exists(info_path):
            with open(info_path) as f:
                self.info = json.load(f)
        else:  # written when a dump run ends; a dump in progress has none yet
            self.info = dict(DEFAULT_INFO)
        self.block_frames = int(self.info["blockFrames"])
        self.hop = float(self.info["hopSeconds"])
        self.block_seconds = self.block_frames * self.hop
        self.scores: Dict[str, Score] = {}
        self.splits: Dict[str, List[Performance]] = {}
        self.skipped: Dict[str, int] = {}
        for split in splits:
            perfs, skipped = [], 0
            for jp in sorted(glob.glob(os.path.join(root, split, "*.json"))):
                with open(jp) as f:
                    meta = json.load(f)
                up = jp[:-5] + ".u8"
                if "skipped" in meta or not os.path.exists(up):
                    skipped += 1
                    continue
                score = self._score(meta["scoreKey"])
                blocks = np.fromfile(up, dtype=np.uint8)
                if blocks.size == 0 or blocks.size % 24 or score is None or len(meta["beats"]) != len(score.beats) or len(meta["beats"]) < 2:
                    skipped += 1
                    continue
                perfs.append(Performance(os.path.basename(jp)[:-5], meta["performance"], blocks.reshape(-1, 24),
                                         np.asarray(meta["beats"], dtype=np.float64), score, self.block_seconds))
            self.splits[split] = perfs
            self.skipped[split] = skipped

    def _score(self, key: str) -> Optional[Score]:
        if key not in self.scores:
            base = os.path.join(self.root, "scores", key)
            if not (os.path.exists(base + ".json") and os.path.exists(base + ".u8")):
                return None
            with open(base + ".json") as f:
                meta = json.load(f)
            blocks = np.fromfile(base + ".u8", dtype=np.uint8).reshape(-1, 24)
            self.scores[key] = Score(key, blocks, np.asarray(meta["beats"], dtype=np.float64), float(meta["duration"]))
        return self.scores[key]

    def fingerprint(self, split: str) -> str:
        """sha256 over the split's file names and sizes and the info (identifies the data a run saw)."""
        h = hashlib.sha256(json.dumps(self.info, sort_keys=True).encode())
        for p in self.splits[split]:
            h.update(f"{p.name}:{p.performance}:{p.blocks.shape[0]}:{p.score.key};".encode())
        return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# The input (shared/neural/input.ts on blocks) and the ground truth (groundTruth.ts scoreTimeAt)


def cell_bounds(n: int, cells: int) -> Tuple[np.ndarray, np.ndarray]:
    """cellRange(i, n, cells) for every i: first (inclusive) and end (exclusive) unit of each cell."""
    i = np.arange(cells, dtype=np.int64)
    a = np.minimum(n - 1, (i * n) // cells)
    b = np.maximum(a + 1, np.minimum(n, ((i + 1) * n) // cells))
    return a, b


def pool_unit(blocks: np.ndarray, cells: int) -> np.ndarray:
    """poolUnit12 on block sums: [n × 24] → [cells × 24] float32, each 12-half unit length (zero → 1/√12)."""
    n = blocks.shape[0]
    cum = np.zeros((n + 1, 24), dtype=np.int64)
    np.cumsum(blocks, axis=0, out=cum[1:])
    a, b = cell_bounds(n, cells)
    s = (cum[b] - cum[a]).astype(np.float64).reshape(cells, 2, 12)
    norm = np.sqrt((s * s).sum(2, keepdims=True))
    unit = np.where(norm > 0, s / np.where(norm > 0, norm, 1.0), 1.0 / math.sqrt(12.0))
    return unit.reshape(cells, 24).astype(np.float32)  # Float32Array storage, as in TypeScript


def distance_u8(p: np.ndarray, s: np.ndarray) -> np.ndarray:
    """distanceMatrix for both channels: unit rows p [L × 24], s [L × 24] (float32) → uint8 [2, L, L] (value × 255).

    Computed in float32 (fast); the few entries whose float32 value lies so close to a rounding
    boundary that float32 error could move them are recomputed exactly as TypeScript does (float64
    dot of the float32 unit rows, sqrt(max(0, 2 − 2·dot)) / √2, min 1, Math.round(· × 255)).
    """
    L, M = p.shape[0], s.shape[0]
    out = np.empty((2, L, M), dtype=np.uint8)
    for c in range(2):
        pc, sc = p[:, 12 * c : 12 * c + 12], s[:, 12 * c : 12 * c + 12]
        rest = np.einsum("ic,cj->ij", pc, np.ascontiguousarray(sc.T))  # dot, float32
        np.subtract(np.float32(1.0), rest, out=rest)  # 1 − dot
        np.maximum(rest, np.float32(0.0), out=rest)
        v = np.sqrt(rest)
        v *= np.float32(LEVELS)
        np.minimum(v, np.float32(LEVELS), out=v)
        v += np.float32(0.5)
        q = v.astype(np.uint8)  # floor (v ≥ 0.5)
        # float32 error of 1 − dot is below ~1e-6, so that of v is below 255e-6 / (2 √(1 − dot)):
        # under 1.3e-3 where 1 − dot ≥ 0.01. Entries within 3e-3 of a rounding boundary, or with
        # 1 − dot < 0.01, are recomputed exactly.
        v -= q  # fractional part
        ii, jj = np.nonzero((v < np.float32(3e-3)) | (v > np.float32(1 - 3e-3)) | (rest < np.float32(0.01)))
        if len(ii):
            dot = np.einsum("kc,kc->k", pc[ii].astype(np.float64), sc[jj].astype(np.float64))
            d = np.minimum(1.0, np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dot)) / math.sqrt(2.0))
            q[ii, jj] = np.floor(d * LEVELS + 0.5)
        out[c] = q
    return out


def distance_u8_reference(p: np.ndarray, s: np.ndarray) -> np.ndarray:
    """distance_u8 the slow way (float64 everywhere), for tests."""
    out = np.empty((2, p.shape[0], s.shape[0]), dtype=np.uint8)
    for c in range(2):
        dot = p[:, 12 * c : 12 * c + 12].astype(np.float64) @ s[:, 12 * c : 12 * c + 12].astype(np.float64).T
        d = np.minimum(1.0, np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dot)) / math.sqrt(2.0))
        out[c] = np.floor(d * LEVELS + 0.5)
    return out


def build_input(perf_blocks: np.ndarray, score_blocks: np.ndarray, L: int) -> np.ndarray:
    """buildNeuralInput on blocks → uint8 [2, L, L] (float input = value / 255)."""
    return distance_u8(pool_unit(perf_blocks, L), pool_unit(score_blocks, L))


def score_time_at(perf_beats: np.ndarray, score_beats: np.ndarray, t: np.ndarray, duration: float) -> np.ndarray:
    """groundTruth.ts scoreTimeAt, vectorised over times t (s)."""
    n = len(perf_beats)
    lo = np.clip(np.searchsorted(perf_beats, t, side="right") - 1, 0, n - 2)
    hi = lo + 1
    dp = perf_beats[hi] - perf_beats[lo]
    step = t - perf_beats[lo]
    s = np.where(dp < UNPLAYED_GAP_SECONDS, score_beats[lo] + step,
                 score_beats[lo] + step / np.where(dp > 0, dp, 1.0) * (score_beats[hi] - score_beats[lo]))
    s = np.where(t <= perf_beats[0], score_beats[0] - (perf_beats[0] - t), s)
    s = np.where(t >= perf_beats[-1], score_beats[-1] + (t - perf_beats[-1]), s)
    return np.clip(s, 0.0, duration)


def cell_times(pieces: Sequence[Tuple[int, int]], L: int, block_frames: int, hop: float) -> np.ndarray:
    """Source time (s) of each performance cell's centre frame (cellCentreFrame over the joined blocks' frames)."""
    src = np.concatenate([np.arange(a, b) for a, b in pieces])
    frames = len(src) * block_frames
    c = (np.arange(L) + 0.5) * frames / L - 0.5
    ob = np.clip(np.floor(c / block_frames).astype(np.int64), 0, len(src) - 1)
    return (src[ob] * block_frames + (c - ob * block_frames)) * hop


def cell_score_times(p: "Performance", pieces: Sequence[Tuple[int, int]], L: int, block_frames: int, hop: float) -> np.ndarray:
    """True score time (s) at each performance cell's centre."""
    return score_time_at(p.beats, p.score.beats, cell_times(pieces, L, block_frames, hop), p.score.duration)


def targets(score_times: np.ndarray, sa: int, sb: int, block_frames: int, hop: float) -> np.ndarray:
    """Normalised positions over score blocks [sa, sb): (score frame − first frame + 0.5) / frames, in [0, 1].

    The engine reads an output as score frame = value · score frames − 0.5 (models/README.md), so
    0 is the range's start and 1 its end.
    """
    frames = block_frames * (sb - sa)
    return np.clip((score_times / hop - block_frames * sa + 0.5) / frames, 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Sample plans


def apply_op(order: List[int], op: str, rng: np.random.Generator) -> Optional[List[int]]:
    """electron/tools/eval/multi.ts applyOp: repeat a segment, skip an interior one, or jump back (after p replay q..p)."""
    n = len(order)

    def pick(lo: int, hi: int) -> int:
        return lo + int(math.floor(rng.random() * (hi - lo + 1)))

    if op == "repeat":
        p = pick(0, n - 1)
        return order[: p + 1] + [order[p]] + order[p + 1 :]
    if op == "skip":
        if n < 3:
            return None
        p = pick(1, n - 2)
        return order[:p] + order[p + 1 :]
    if n < 2:
        return None
    p = pick(1, n - 1)
    q = pick(0, p - 1)
    return order[: p + 1] + order[q : p + 1] + order[p + 1 :]


class SampleGenerator:
    """Seeded sample generator over the performances of one split.

    sample() → (x uint8 [2, L, L], y float32 [L] in [0, 1], meta). Kinds (probabilities `kinds`):
    multi (excerpt cut at beats into 3–6 segments of ≥ 8 beats, 1–3 of repeat / skip / jump back,
    45 s – 5 min, electron/tools/eval/multi.ts planMulti), excerpt (45 s – 10 min), whole (≤ 12 min),
    jumps (1–4 cuts from a random beat to a random beat). Score range: the whole piece with
    probability `whole_score`, else the played range ± 0–`max_margin_beats` beats.
    """

    def __init__(self, dump: Dump, split: str = "train", L: int = 256, seed: int = 0, kinds: Optional[Dict[str, float]] = None,
                 whole_score: float = 0.45, max_margin_beats: int = 8, multi_seconds=(45.0, 300.0), excerpt_seconds=(45.0, 600.0),
                 whole_cap_seconds: float = 720.0) -> None:
        self.perfs = dump.splits[split]
        if not self.perfs:
            raise ValueError(f"{dump.root}: no usable performance in split '{split}'")
        self.L, self.rng = L, np.random.default_rng(seed)
        self.bf, self.hop, self.bs = dump.block_frames, dump.hop, dump.block_seconds
        k = dict(TRAIN_KINDS if kinds is None else kinds)
        unknown = set(k) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown sample kinds {sorted(unknown)}, expected {KINDS}")
        w = np.array([k.get(n, 0.0) for n in KINDS], dtype=np.float64)
        self.kind_p = w / w.sum()
        self.whole_score, self.max_margin = whole_score, max_margin_beats
        self.multi_seconds, self.excerpt_seconds, self.whole_cap = multi_seconds, excerpt_seconds, whole_cap_seconds

    # -- helpers
    def _u(self) -> float:
        return float(self.rng.random())

    def _pick(self, lo: int, hi: int) -> int:
        return lo + int(math.floor(self._u() * (hi - lo + 1)))

    def _blk(self, t: float, p: Performance) -> int:
        return int(min(p.blocks.shape[0], max(0, round(t / self.bs))))

    def _range(self, p: Performance, t0: float, t1: float) -> List[Tuple[int, int]]:
        a = self._blk(t0, p)
        b = max(a + 1, self._blk(t1, p))
        a = min(a, p.blocks.shape[0] - 1)
        return [(a, min(b, p.blocks.shape[0]))]

    # -- plans: a list of source block ranges
    def plan_whole(self, p: Performance):
        if p.duration <= self.whole_cap:
            return [(0, p.blocks.shape[0])]
        t0 = (p.duration - self.whole_cap) * self._u()
        return self._range(p, t0, t0 + self.whole_cap)

    def plan_excerpt(self, p: Performance):
        first = max(0.0, p.beats[0] - 1)
        last = min(p.duration, p.beats[-1] + 1)
        span = max(self.bs, last - first)
        max_len = min(span, self.excerpt_seconds[1])
        min_len = min(self.excerpt_seconds[0], max_len)
        length = min_len * (max_len / min_len) ** self._u()
        t0 = first + (span - length) * self._u()
        return self._range(p, t0, t0 + length)

    def plan_multi(self, p: Performance):
        """planMulti (electron/tools/eval/multi.ts) with a 45 s – 5 min output; None when no plan is found."""
        beats, n = p.beats, len(p.beats)
        lo_s, hi_s = self.multi_seconds
        segs = [s for s in p.segments if s[1] - s[0] >= 3 * 8]
        if not segs:
            return None
        weights = np.array([e - s for s, e in segs], dtype=np.float64)
        for _ in range(200):
            K = self._pick(3, 6)
            n_ops = self._pick(1, 3)
            ops = [("repeat", "skip", "jumpback")[int(math.floor(self._u() * 3))] for _ in range(n_ops)]
            s0, e0 = segs[min(len(segs) - 1, int(np.searchsorted(np.cumsum(weights) / weights.sum(), self._u(), side="right")))]
            seg_n = e0 - s0 + 1
            b0 = s0 if self._u() < 0.4 else s0 + self._pick(0, max(0, seg_n - K * 8 - 1))
            span = lo_s + self._u() * (hi_s - lo_s) * 0.8
            b_end = b0
            while b_end < e0 and beats[b_end] - beats[b0] < span:
                b_end += 1
            total = b_end - b0
            if total < K * 8:
                continue
            free = total - K * 8
            extra = [self._u() for _ in range(K)]
            ssum = sum(extra)
            lens = [8 + int(math.floor(free * x / ssum)) for x in extra]
            lens[-1] += total - sum(lens)
            segments, b = [], b0
            for ln in lens:
                segments.append([b, b + ln])
                b += ln
            order: Optional[List[int]] = list(range(K))
            for op in ops:
                order = apply_op(order, op, self.rng) if order is not None else None
            if order is None:
                continue
            # Only the recording's opening keeps the silence before the first beat; a return to the
            # first segment starts at its beat, like every other cut.
            def start_sec(k: int, first: bool) -> float:
                return 0.0 if first and segments[k][0] == 0 else float(beats[segments[k][0]])

            def end_sec(k: int) -> float:
                return p.duration if segments[k][1] >= n else float(beats[segments[k][1]])

            pieces: List[List[float]] = []
            jumps, out = 0, 0.0
            for i, k in enumerate(order):
                if i > 0 and order[i - 1] + 1 == k:
                    pieces[-1][1] = end_sec(k)
                else:
                    jumps += i > 0
                    pieces.append([start_sec(k, i == 0), end_sec(k)])
                out += end_sec(k) - start_sec(k, i == 0)
            if jumps == 0 or out < lo_s or out > hi_s:
                continue
            return [r for a, b in pieces for r in self._range(p, a, b)], {"ops": ops, "order": order, "segments": segments}
        return None

    def plan_jumps(self, p: Performance):
        """1–4 cuts, each from a beat to a random beat (back or forward, ≥ 4 beats away) of a played segment."""
        beats = p.beats
        segs = [s for s in p.segments if s[1] - s[0] >= 4]
        if not segs:
            return None
        seg_end = np.full(len(beats), -1, dtype=np.int64)
        for s0, e0 in segs:
            seg_end[s0 : e0 - 1] = e0  # a piece starts at least 2 beats before its segment's end
        starts = np.flatnonzero(seg_end >= 0)
        lo_s, hi_s = self.multi_seconds
        for _ in range(50):
            cuts = self._pick(1, 4)
            total = lo_s + self._u() * (hi_s - lo_s)
            w = self.rng.random(cuts + 1) + 0.3
            pieces: List[Tuple[float, float]] = []
            prev_end = None
            for ln in total * w / w.sum():
                # Prefer starts from which the piece fits in its segment (else every piece of a
                # short performance would end at the same segment end).
                room = beats[seg_end[starts]] - beats[starts] >= ln
                cand = starts[room] if room.any() else starts
                j = -1
                for _ in range(20):
                    j = int(cand[self._pick(0, len(cand) - 1)])
                    if prev_end is None or abs(j - prev_end) >= 4:
                        break
                if prev_end is not None and abs(j - prev_end) < 4:
                    break
                e = int(seg_end[j])
                k = max(j + 2, min(e, int(np.searchsorted(beats, beats[j] + ln))))
                pieces.append((float(beats[j]), float(beats[k])))
                prev_end = k
            if len(pieces) != cuts + 1 or sum(b - a for a, b in pieces) < 0.5 * lo_s:
                continue
            return [r for a, b in pieces for r in self._range(p, a, b)], {"cuts": cuts}
        return None

    # -- samples
    def build(self, p: Performance, pieces: Sequence[Tuple[int, int]], whole_score: Optional[bool] = None):
        """x uint8 [2, L, L], y float32 [L], (score block range) for a performance plan and a drawn score range."""
        sc = p.score
        s = cell_score_times(p, pieces, self.L, self.bf, self.hop)
        nsb = sc.blocks.shape[0]
        if whole_score is None:
            whole_score = self._u() < self.whole_score
        if whole_score:
            sa, sb = 0, nsb
        else:
            # The played range (true score times of the cells) ± 0–max_margin beats, ≥ 0.5 s each side.
            smin, smax = float(s.min()), float(s.max())
            before = sc.beats[sc.beats < smin]
            after = sc.beats[sc.beats > smax]
            lo = before[max(0, len(before) - 1 - int(math.floor(self._u() * (self.max_margin + 1))))] if len(before) else 0.0
            hi = after[min(len(after) - 1, int(math.floor(self._u() * (self.max_margin + 1))))] if len(after) else sc.duration
            lo = max(0.0, min(lo, smin - 0.5))
            hi = min(sc.duration, max(hi, smax + 0.5))
            sa = max(0, min(nsb - 2, int(math.floor(lo / self.bs))))
            sb = min(nsb, max(sa + 2, int(math.ceil(hi / self.bs))))
        src = np.concatenate([np.arange(a, b) for a, b in pieces])
        x = build_input(p.blocks[src], sc.blocks[sa:sb], self.L)
        return x, targets(s, sa, sb, self.bf, self.hop), (sa, sb)

    def sample(self, kind: Optional[str] = None):
        p = self.perfs[int(self.rng.integers(len(self.perfs)))]
        if kind is None:
            kind = KINDS[int(np.searchsorted(np.cumsum(self.kind_p), self._u(), side="right").clip(0, len(KINDS) - 1))]
        plan, extra = None, {}
        if kind == "multi":
            got = self.plan_multi(p)
            if got is not None:
                plan, extra = got
        elif kind == "jumps":
            got = self.plan_jumps(p)
            if got is not None:
                plan, extra = got
        elif kind == "whole":
            plan = self.plan_whole(p)
        if plan is None:
            kind = "excerpt" if kind != "whole" else kind
            plan = self.plan_excerpt(p)
        x, y, (sa, sb) = self.build(p, plan)
        meta = {"kind": kind, "performance": p.name, "pieces": [[int(a), int(b)] for a, b in plan], "scoreBlocks": [sa, sb],
                "perfBlocks": int(sum(b - a for a, b in plan)), **extra}
        return x, y, meta


# ---------------------------------------------------------------------------------------------
# Jumps in a position curve (metrics)


def jumps_of(cells: np.ndarray, back: float = 5.0, forward: float = 8.0) -> List[Tuple[int, float]]:
    """(row, landing) of each step between consecutive rows back by > `back` or forward by > `forward` (positions in cells)."""
    d = np.diff(cells)
    rows = np.flatnonzero((d < -back) | (d > forward)) + 1
    return [(int(r), float(cells[r])) for r in rows]


def median5(v: np.ndarray) -> np.ndarray:
    """shared/neural/route.ts medianFilter(x, 2): running median over ±2 rows, window shrinking at the ends (upper median)."""
    n = len(v)
    out = np.empty(n, dtype=np.float64)
    if n >= 5:
        win = np.sort(np.stack([v[k : n - 4 + k] for k in range(5)], 1), 1)
        out[2 : n - 2] = win[:, 2]
    for i in list(range(min(2, n))) + list(range(max(2, n - 2), n)):
        w = np.sort(v[max(0, i - 2) : min(n, i + 3)])
        out[i] = w[len(w) >> 1]
    return out


def match_jumps(pred: List[Tuple[int, float]], true: List[Tuple[int, float]], rows: int = 2, cells: float = 3.0) -> int:
    """Greedy one-to-one matches: |row difference| ≤ rows and |landing difference| ≤ cells."""
    used, hits = set(), 0
    for r, land in true:
        best = None
        for k, (pr, pl) in enumerate(pred):
            if k in used or abs(pr - r) > rows or abs(pl - land) > cells:
                continue
            if best is None or abs(pr - r) < abs(pred[best][0] - r):
                best = k
        if best is not None:
            used.add(best)
            hits += 1
    return hits


# ---------------------------------------------------------------------------------------------
# Validation set (fixed, cached)


def validation_set(dump: Dump, n: int = 400, seed: int = 20261204, L: int = 256, kinds: Optional[Dict[str, float]] = None,
                   cache_dir: Optional[str] = None, split: str = "validation"):
    """N samples drawn with a fixed seed from the split → (x uint8 [N, 2, L, L], y float32 [N, L], meta list); cached as .npy."""
    kinds = dict(VALIDATION_KINDS if kinds is None else kinds)
    key = hashlib.sha256(json.dumps({"v": CACHE_VERSION, "data": dump.fingerprint(split), "n": n, "seed": seed, "L": L,
                                     "kinds": kinds}, sort_keys=True).encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"valset-{key}") if cache_dir else None
    if path and os.path.exists(os.path.join(path, "meta.json")):
        with open(os.path.join(path, "meta.json")) as f:
            meta = json.load(f)
        return np.load(os.path.join(path, "x.npy")), np.load(os.path.join(path, "y.npy")), meta
    gen = SampleGenerator(dump, split, L=L, seed=seed, kinds=kinds)
    xs = np.empty((n, 2, L, L), dtype=np.uint8)
    ys = np.empty((n, L), dtype=np.float32)
    meta = []
    for i in range(n):
        xs[i], ys[i], m = gen.sample()
        meta.append(m)
    if path:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f"valset-{key}-", dir=cache_dir)
        np.save(os.path.join(tmp, "x.npy"), xs)
        np.save(os.path.join(tmp, "y.npy"), ys)
        with open(os.path.join(tmp, "meta.json"), "w") as f:
            json.dump(meta, f)
        try:
            os.rename(tmp, path)  # atomic; a concurrent run that got there first wins
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return xs, ys, meta
