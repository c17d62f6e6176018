"""The note network's training script (models/notes/train_notes.py): starting from a shipped model."""
import json
import os
import sys
import unittest

import numpy as np
import torch

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(MODELS, "notes"))
import train_notes as T  # noqa: E402

SHIPPED = os.path.join(MODELS, "accord-notes")


class WeightsOfOnnx(unittest.TestCase):
    def test_the_shipped_model_loaded_into_torch_gives_its_golden_output(self):
        config = json.load(open(os.path.join(SHIPPED, "config.json")))
        golden = json.load(open(os.path.join(SHIPPED, "golden.json")))
        a = config["trainingArgs"]
        net = T.NoteNet(a["channels"], a["hidden"])
        net.load_state_dict(T.weights_of_onnx(os.path.join(SHIPPED, "model.onnx")))
        model = T.Exported(net).eval()
        x = np.array(golden["input"], np.float32).reshape(1, golden["frames"], T.P) / golden["inputQuant"]
        with torch.no_grad():
            out = model(torch.from_numpy(x))[0].numpy().flatten()
        self.assertLess(float(np.abs(out - np.array(golden["output"])).max()), 1e-4)

    def test_a_fresh_network_does_not_give_it(self):
        golden = json.load(open(os.path.join(SHIPPED, "golden.json")))
        torch.manual_seed(0)
        model = T.Exported(T.NoteNet()).eval()
        x = np.array(golden["input"], np.float32).reshape(1, golden["frames"], T.P) / golden["inputQuant"]
        with torch.no_grad():
            out = model(torch.from_numpy(x))[0].numpy().flatten()
        self.assertGreater(float(np.abs(out - np.array(golden["output"])).max()), 0.05)


if __name__ == "__main__":
    unittest.main()
