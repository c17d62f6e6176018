import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from accordnet.data import crop_augment  # noqa: E402
from accordnet.model import SASA, AccordNet  # noqa: E402


class ModelShapeTest(unittest.TestCase):
    def test_ca_and_cd_output_one_position_per_row(self):
        torch.manual_seed(0)
        for variant in ("ca", "cd"):
            net = AccordNet(L=64, variant=variant).eval()
            out = net(torch.rand(3, 2, 64, 64))
            self.assertEqual(tuple(out.shape), (3, 64))
            self.assertTrue(bool(((out >= 0) & (out <= 1)).all()))

    def test_map_readout_positions_follow_the_darkest_column(self):
        torch.manual_seed(0)
        net = AccordNet(L=64, widths=(8, 8, 8, 8), input_pool=2, readout="map").eval()
        out = net(torch.rand(2, 2, 64, 64))
        self.assertEqual(tuple(out.shape), (2, 64))
        self.assertTrue(bool(((out > 0) & (out < 1)).all()))
        ce = AccordNet(L=64, widths=(8, 8, 8, 8), input_pool=2, readout="map", head="ce").eval()
        logits = ce(torch.rand(2, 2, 64, 64))
        self.assertEqual(tuple(logits.shape), (2, 32, 32))  # rows × column classes on the pooled grid
        self.assertEqual(tuple(ce.positions(logits).shape), (2, 64))

    def test_map_projection_keeps_the_output_and_old_checkpoints_load(self):
        torch.manual_seed(0)
        net = AccordNet(L=64, widths=(8, 8, 8, 8), input_pool=1, readout="map", head="ce", map_proj=4).eval()
        self.assertEqual(tuple(net(torch.rand(2, 2, 64, 64)).shape), (2, 64, 64))
        plain = AccordNet(L=64, widths=(8, 8, 8, 8), input_pool=1, readout="map", head="ce")
        self.assertFalse(any(k.startswith("proj.") for k in plain.state_dict()))  # map_proj=0: the shipped layout

    def test_ce_head_gives_bins_and_positions(self):
        net = AccordNet(L=64, head="ce", bins=16).eval()
        out = net(torch.rand(2, 2, 64, 64))
        self.assertEqual(tuple(out.shape), (2, 64, 16))
        pos = net.positions(out)
        self.assertEqual(tuple(pos.shape), (2, 64))
        self.assertTrue(bool(((pos > 0) & (pos < 1)).all()))

    def test_sasa_keeps_shape_and_only_sees_its_neighbourhood(self):
        torch.manual_seed(0)
        layer = SASA(8, size=12, kernel=3, heads=4).eval()
        x = torch.rand(1, 8, 12, 12)
        y = layer(x)
        self.assertEqual(tuple(y.shape), (1, 8, 12, 12))
        x2 = x.clone()
        x2[:, :, 11, 11] += 5.0  # far from pixel (0, 0): its output must not change
        self.assertTrue(torch.allclose(layer(x2)[:, :, 0, 0], y[:, :, 0, 0]))
        self.assertFalse(torch.allclose(layer(x2)[:, :, 10, 10], y[:, :, 10, 10]))

    def test_bad_L_is_rejected(self):
        with self.assertRaises(ValueError):
            AccordNet(L=40)


class AugmentTest(unittest.TestCase):
    def test_crop_keeps_targets_on_their_cells(self):
        L = 32
        rng = np.random.RandomState(0)
        y = ((np.arange(L) + 0.5) / L * 0.8 + 0.1).astype(np.float32)
        x = np.ones((2, L, L), dtype=np.float32)
        x[:, np.arange(L), (y * L).astype(int)] = 0.0  # the path is the dark cells
        for _ in range(20):
            x2, y2 = crop_augment(x, y, rng)
            self.assertEqual(x2.shape, x.shape)
            cols = np.clip((y2 * L).astype(int), 0, L - 1)
            # After resampling, the target column of each row is within a cell of the dark path.
            dark = [np.abs(np.where(x2[0, i] == 0)[0] - cols[i]).min() for i in range(L)]
            self.assertLessEqual(max(dark), 2)


if __name__ == "__main__":
    unittest.main()
