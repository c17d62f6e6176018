"""The structure network's sample builder (models/structure/blocks.py), its training script and export."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(MODELS)
sys.path.insert(0, MODELS)
from structure import blocks as B  # noqa: E402

FIXTURE = os.path.join(MODELS, "tests", "fixtures", "structure_ts16.json")
NODE_INPUT = os.path.join(REPO, "dist", "node", "shared", "neural", "input.js")
NODE_ASAP = os.path.join(REPO, "dist", "node", "shared", "formats", "asap.js")


def load_fixture(path):
    with open(path) as f:
        d = json.load(f)
    u8 = lambda k: np.frombuffer(base64.b64decode(d[k]), dtype=np.uint8)  # noqa: E731
    L = d["L"]
    score = B.Score("s", u8("scoreBlocks").reshape(-1, 24), np.array(d["scoreBeats"]), d["scoreDuration"])
    perf = B.Performance("p", "p", u8("perfBlocks").reshape(-1, 24), np.array(d["perfBeats"]), score, d["blockFrames"] * d["hopSeconds"])
    return d, perf, u8("x").reshape(2, L, L), np.array(d["y"], dtype=np.float64)


def write_dump(root, seed=0):
    """A small synthetic dump: 3 train and 2 validation performances of two pieces (one with an unplayed section)."""
    rng = np.random.default_rng(seed)
    hop, bf = 512 / 22050, 8
    bs = hop * bf
    os.makedirs(os.path.join(root, "scores"))
    with open(os.path.join(root, "info.json"), "w") as f:
        json.dump({"blockFrames": bf, "quant": 255 / 8, "hopSeconds": hop, "featureParams": {"version": 1}, "seed": 1}, f)
    scores = {}
    for key, n_beats in (("A__piece", 220), ("B__piece", 160)):
        beats = 0.5 + 0.5 * np.arange(n_beats)
        duration = float(beats[-1] + 1)
        blocks = (rng.random((int(np.ceil(duration / bs)), 24)) ** 3 * 255).astype(np.uint8)
        blocks.tofile(os.path.join(root, "scores", key + ".u8"))
        with open(os.path.join(root, "scores", key + ".json"), "w") as f:
            json.dump({"folder": key, "beats": beats.tolist(), "duration": duration, "frames": blocks.shape[0] * bf}, f)
        scores[key] = (beats, duration, blocks)
    plan = {"train": [("A__piece", 1.1, None), ("B__piece", 0.9, None), ("A__piece", 1.0, (100, 120))],
            "validation": [("A__piece", 1.05, (60, 80)), ("B__piece", 1.0, None)]}
    for split, perfs in plan.items():
        os.makedirs(os.path.join(root, split))
        for k, (key, tempo, unplayed) in enumerate(perfs):
            sbeats, _, sblocks = scores[key]
            d = np.diff(sbeats) * tempo * (1 + 0.05 * rng.standard_normal(len(sbeats) - 1)).clip(0.8, 1.2)
            if unplayed:
                d[unplayed[0] : unplayed[1]] = 0.01
            beats = np.concatenate([[1.0], 1.0 + np.cumsum(d)])
            duration = beats[-1] + 1.5
            # Content: the score block at the true score time (any content does for the target tests).
            t = np.arange(int(np.ceil(duration / bs))) * bs
            st = B.score_time_at(beats, sbeats, t, sbeats[-1] + 1)
            blocks = sblocks[np.clip((st / bs).astype(int), 0, len(sblocks) - 1)]
            name = f"{k:04d}"
            blocks.tofile(os.path.join(root, split, name + ".u8"))
            with open(os.path.join(root, split, name + ".json"), "w") as f:
                json.dump({"performance": f"{key}/p{k}.mid", "scoreKey": key, "beats": beats.tolist(), "frames": blocks.shape[0] * bf}, f)
        with open(os.path.join(root, split, "9999.json"), "w") as f:
            json.dump({"performance": "x/y.mid", "skipped": "beat counts differ"}, f)


def row_pieces(meta, L, bf=8):
    """Piece index of each performance row (the piece holding the row's centre frame)."""
    lens = [b - a for a, b in meta["pieces"]]
    frames = sum(lens) * bf
    c = (np.arange(L) + 0.5) * frames / L - 0.5
    ob = np.clip(np.floor(c / bf).astype(int), 0, sum(lens) - 1)
    return np.searchsorted(np.cumsum(lens), ob, side="right")


class SharedConstantTest(unittest.TestCase):
    def test_unplayed_gap_is_the_typescript_one(self):
        with open(B.ASAP_TS, encoding="utf-8") as f:
            self.assertIn(f"export const UNPLAYED_GAP_SECONDS = {B.UNPLAYED_GAP_SECONDS:g};", f.read())

    @unittest.skipUnless(shutil.which("node") and os.path.exists(NODE_ASAP), "node or dist/node missing (npx tsc -p tsconfig.node.json)")
    def test_unplayed_gap_equals_the_built_engines(self):
        out = subprocess.run(
            ["node", "--input-type=module", "-e", f"const m = await import({json.dumps('file://' + NODE_ASAP)}); console.log(m.UNPLAYED_GAP_SECONDS)"],
            check=True, capture_output=True, text=True,
        )
        self.assertEqual(float(out.stdout.strip()), B.UNPLAYED_GAP_SECONDS)

    def test_a_missing_constant_says_what_was_expected(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.ts")
            with open(path, "w") as f:
                f.write("export const OTHER = 1;\n")
            with self.assertRaisesRegex(ValueError, r"expected one line `export const UNPLAYED_GAP_SECONDS = <number>;`, found 0"):
                B.ts_constant(path, "UNPLAYED_GAP_SECONDS")


class TypeScriptInputTest(unittest.TestCase):
    def check(self, path):
        d, perf, x_ts, y_ts = load_fixture(path)
        L, (sa, sb) = d["L"], d["scoreRange"]
        pieces = [tuple(p) for p in d["pieces"]]
        src = np.concatenate([np.arange(a, b) for a, b in pieces])
        x = B.build_input(perf.blocks[src], perf.score.blocks[sa:sb], L)
        self.assertEqual(x.shape, (2, L, L))
        np.testing.assert_allclose(x / 255.0, x_ts / 255.0, atol=1 / 255 + 1e-9)
        self.assertEqual(int((x != x_ts).sum()), 0)  # in practice bit-identical
        y = B.targets(B.cell_score_times(perf, pieces, L, d["blockFrames"], d["hopSeconds"]), sa, sb, d["blockFrames"], d["hopSeconds"])
        # neuralTarget rounds each cell's centre frame to a whole frame: ≤ a frame apart in score frames.
        frames = d["blockFrames"] * (sb - sa)
        self.assertLess(float(np.abs(y - y_ts).max() * frames), 1.0)
        self.assertTrue((np.diff(y_ts) < 0).any())  # the fixture has a jump back

    def test_matches_typescript_on_committed_fixture(self):
        self.check(FIXTURE)

    @unittest.skipUnless(shutil.which("node") and os.path.exists(NODE_INPUT), "node or dist/node missing (npx tsc -p tsconfig.node.json)")
    def test_matches_typescript_at_L256(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "fx256.json")
            subprocess.run(["node", os.path.join(MODELS, "structure", "ts_fixture.mjs"), "256", out], check=True, capture_output=True)
            self.check(out)

    def test_fast_distance_equals_the_float64_reference(self):
        rng = np.random.default_rng(3)
        a = (rng.random((300, 24)) ** 4 * 255).astype(np.uint8)
        b = (rng.random((280, 24)) ** 4 * 255).astype(np.uint8)
        a[::7] = 0
        b[5], b[9] = a[8], a[10]
        p, s = B.pool_unit(a, 256), B.pool_unit(b, 256)
        np.testing.assert_array_equal(B.distance_u8(p, s), B.distance_u8_reference(p, s))


class SampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.root = os.path.join(cls.tmp, "dump")
        write_dump(cls.root)
        cls.dump = B.Dump(cls.root)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_loads_and_skips(self):
        self.assertEqual(len(self.dump.splits["train"]), 3)
        self.assertEqual(len(self.dump.splits["validation"]), 2)
        self.assertEqual(self.dump.skipped, {"train": 1, "validation": 1})
        self.assertEqual(len(self.dump.splits["train"][2].segments), 2)  # split at the unplayed run

    def test_excerpt_targets_are_monotone(self):
        g = B.SampleGenerator(self.dump, "train", seed=1)
        g.perfs = g.perfs[:2]  # no unplayed section
        for _ in range(20):
            x, y, m = g.sample("excerpt")
            self.assertEqual(m["kind"], "excerpt")
            self.assertEqual((x.shape, x.dtype, y.shape, y.dtype), ((2, 256, 256), np.uint8, (256,), np.float32))
            self.assertTrue(bool((np.diff(y) >= 0).all()))
            self.assertTrue(0 <= y.min() and y.max() <= 1)

    def test_multi_targets_step_back_exactly_at_the_repeats(self):
        g = B.SampleGenerator(self.dump, "train", seed=2)
        backs = 0
        for _ in range(40):
            x, y, m = g.sample("multi")
            if m["kind"] != "multi":
                continue
            pieces = m["pieces"]
            seconds = m["perfBlocks"] * self.dump.block_seconds
            self.assertTrue(45 - 1 <= seconds <= 300 + 1, seconds)
            rp = row_pieces(m, 256)
            for i in range(1, 256):
                if rp[i] == rp[i - 1]:
                    self.assertGreaterEqual(y[i], y[i - 1])
                else:
                    back = pieces[rp[i]][0] < pieces[rp[i - 1]][1]
                    self.assertEqual(bool(y[i] < y[i - 1]), back, (m, i))
                    backs += back
            # One piece per run of consecutive segments in the played order.
            order = m["order"]
            self.assertEqual(len(pieces), 1 + sum(order[i] != order[i - 1] + 1 for i in range(1, len(order))))
        self.assertGreater(backs, 5)

    def test_unplayed_section_is_a_forward_jump_and_cuts_avoid_it(self):
        g = B.SampleGenerator(self.dump, "train", seed=3)
        g.perfs = g.perfs[2:]
        x, y, m = g.sample("whole")
        d = np.diff(y * 256)
        self.assertTrue(bool((d >= 0).all()))
        self.assertGreater(d.max(), 4 * np.median(d))
        (s0, e0), (s1, e1) = g.perfs[0].segments
        beats = g.perfs[0].beats
        for _ in range(20):
            _, _, m = g.sample("multi")
            if m["kind"] != "multi":
                continue
            for a, b in m["pieces"]:  # each piece inside one played segment
                ta, tb = a * self.dump.block_seconds, b * self.dump.block_seconds
                self.assertTrue(tb <= beats[e0] + 0.2 or ta >= beats[s1] - 0.2, (ta, tb))

    def test_jump_samples_have_cuts(self):
        g = B.SampleGenerator(self.dump, "train", seed=4)
        for _ in range(10):
            _, y, m = g.sample("jumps")
            self.assertEqual(m["kind"], "jumps")
            self.assertEqual(len(m["pieces"]), m["cuts"] + 1)

    def test_generator_is_deterministic_for_a_seed(self):
        a = B.SampleGenerator(self.dump, "train", seed=7)
        b = B.SampleGenerator(self.dump, "train", seed=7)
        c = B.SampleGenerator(self.dump, "train", seed=8)
        differ = False
        for _ in range(12):
            xa, ya, ma = a.sample()
            xb, yb, mb = b.sample()
            xc, yc, mc = c.sample()
            np.testing.assert_array_equal(xa, xb)
            np.testing.assert_array_equal(ya, yb)
            self.assertEqual(ma, mb)
            differ = differ or ma != mc
        self.assertTrue(differ)

    def test_validation_set_is_cached_and_mostly_multi(self):
        cache = os.path.join(self.tmp, "cache")
        x1, y1, m1 = B.validation_set(self.dump, n=20, cache_dir=cache)
        self.assertEqual(len(os.listdir(cache)), 1)
        x2, y2, m2 = B.validation_set(self.dump, n=20, cache_dir=cache)
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
        self.assertEqual(m1, m2)
        self.assertGreaterEqual(sum(m["kind"] == "multi" for m in m1), 8)
        self.assertEqual(x1.shape, (20, 2, 256, 256))


class MetricTest(unittest.TestCase):
    def test_median_matches_the_engines_filter(self):
        rng = np.random.default_rng(0)
        for n in (1, 2, 3, 4, 5, 9, 40):
            v = rng.random(n)
            ref = [sorted(v[max(0, i - 2) : min(n, i + 3)])[len(v[max(0, i - 2) : min(n, i + 3)]) >> 1] for i in range(n)]
            np.testing.assert_allclose(B.median5(v), ref)

    def test_jumps_and_matches(self):
        true = np.concatenate([np.arange(100.0), np.arange(40.0, 196.0)])
        tj = B.jumps_of(true)
        self.assertEqual(tj, [(100, 40.0)])
        pred = true.copy()
        pred[50] = 200  # a one-row spike: removed by the median filter
        pj = B.jumps_of(B.median5(np.roll(pred, 1)))
        self.assertEqual(len(pj), 1)
        self.assertEqual(B.match_jumps(pj, tj), 1)
        self.assertEqual(B.match_jumps([(104, 40.0)], tj), 0)  # 4 rows off
        self.assertEqual(B.match_jumps([(101, 44.5)], tj), 0)  # lands 4.5 cells off


class SmokeTest(unittest.TestCase):
    def test_train_and_export(self):
        import onnx
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "dump")
            write_dump(root)
            run, out = os.path.join(tmp, "run"), os.path.join(tmp, "export")
            py = sys.executable
            subprocess.run([py, os.path.join(MODELS, "structure", "train_gpu.py"), "--blocks", root, "--out", run, "--minutes", "0.1",
                            "--L", "64", "--widths", "8,8,8,8", "--batch", "2", "--workers", "1", "--eval-seconds", "2",
                            "--val-samples", "4", "--val-cache", os.path.join(tmp, "cache"), "--device", "cpu"],
                           check=True, capture_output=True, timeout=120)
            ck = torch.load(os.path.join(run, "best.pt"))
            self.assertEqual(set(ck), {"model", "args", "metrics"})
            self.assertTrue(all(v.device.type == "cpu" for v in ck["model"].values()))
            with open(os.path.join(run, "log.jsonl")) as f:
                rows = [json.loads(line) for line in f]
            self.assertTrue(rows and "jump_recall" in rows[-1] and "val_mae_cells_multi" in rows[-1])
            subprocess.run([py, os.path.join(MODELS, "export.py"), "--run", run, "--out", out], check=True, capture_output=True, timeout=120)
            model = onnx.load(os.path.join(out, "model.onnx"))
            onnx.checker.check_model(model)
            self.assertEqual([i.name for i in model.graph.input], ["matrix"])
            self.assertEqual([o.name for o in model.graph.output], ["position"])
            with open(os.path.join(out, "config.json")) as f:
                config = json.load(f)
            self.assertEqual((config["L"], config["featureParams"], config["readout"], config["loss"]), (64, {"version": 1}, "map", "ce"))


if __name__ == "__main__":
    unittest.main()
