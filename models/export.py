"""Export a trained run to ONNX (opset 17) with its config, checksum and a golden input/output pair.

    /usr/bin/python3 models/export.py --run models/runs/<name> --out models/accord-ca [--name accord-ca]

The output is always the normalised score position per performance row, [batch, L] (a CE run
exports its arg-max bin centres). The numeric torch-vs-onnxruntime comparison runs in Node
(electron/engine/neural.test.ts) against golden.json, since Debian's Python has no onnxruntime.
"""
import argparse
import base64
import datetime
import hashlib
import inspect
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch.onnx import symbolic_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accordnet import data as D  # noqa: E402
from accordnet.model import AccordNet  # noqa: E402
from train import build_net  # noqa: E402

INPUT_NAME = "matrix"
OUTPUT_NAME = "position"
OPSET = 17


@symbolic_helper.parse_args("v", "v", "is")
def _max_unpool2d(g, x, indices, output_size):
    """aten::max_unpool2d → ONNX MaxUnpool (kernel 2, stride 2, as AccordNet uses it).

    Torch's indices count within each (n, c) plane (h·W + w); ONNX's count over the whole
    N×C×H×W tensor, so the plane offset (n·C + c)·H·W is added first.
    """
    h, w = output_size
    shape = g.op("Shape", indices)
    nc = symbolic_helper._slice_helper(g, shape, axes=[0], starts=[0], ends=[2])
    planes = g.op("ReduceProd", nc, keepdims_i=1)
    zero = g.op("Constant", value_t=torch.tensor(0, dtype=torch.int64))
    one = g.op("Constant", value_t=torch.tensor(1, dtype=torch.int64))
    count = g.op("Squeeze", planes, g.op("Constant", value_t=torch.tensor([0], dtype=torch.int64)))
    offsets = g.op("Mul", g.op("Range", zero, count, one), g.op("Constant", value_t=torch.tensor(h * w, dtype=torch.int64)))
    offsets = g.op("Reshape", offsets, g.op("Concat", nc, g.op("Constant", value_t=torch.tensor([1, 1], dtype=torch.int64)), axis_i=0))
    flat = g.op("Add", indices, offsets)
    full = g.op("Concat", nc, g.op("Constant", value_t=torch.tensor([h, w], dtype=torch.int64)), axis_i=0)
    return g.op("MaxUnpool", x, flat, full, kernel_shape_i=[2, 2], strides_i=[2, 2])


class Positions(torch.nn.Module):
    """Wraps AccordNet so the graph's output is the position vector for both heads."""

    def __init__(self, net: AccordNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.positions(self.net(x))


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Export a trained Accord aligner to ONNX.")
    p.add_argument("--run", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="accord-ca")
    p.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    p.add_argument("--checkpoint", default="best.pt")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    with open(os.path.join(args.run, "run.json")) as f:
        run = json.load(f)
    ck = torch.load(os.path.join(args.run, args.checkpoint), map_location="cpu")
    ra = run["args"]
    net = build_net(run["L"], run["channels"], ra)
    net.load_state_dict(ck["model"])
    net.eval()
    model = Positions(net).eval()
    L, C = run["L"], run["channels"]

    if run.get("data") == "blocks":
        # models/structure/train_gpu.py: samples cut from a block dump; the run folder holds the
        # feature parameters and its first validation input.
        feature_params = run["featureParams"]
        levels = 255.0
        with open(os.path.join(args.run, "golden_input.u8"), "rb") as f:
            xq = np.frombuffer(f.read(), dtype=np.uint8).reshape(C, L, L)
        golden_note = "validation sample 0 of the run's block-dump validation set; input = uint8 / inputLevels, [channels × L × L] row-major"
    else:
        manifest, manifest_sha, _, val = D.load(args.data)
        if manifest_sha != run["manifestSha256"]:
            print(f"warning: {args.data}/manifest.json has sha256 {manifest_sha}, the run was trained on {run['manifestSha256']}")
        feature_params = manifest["featureParams"]
        levels = val.levels
        xq = val.x[0]
        golden_note = "validation sample 0 of the training manifest; input = uint8 / inputLevels, [channels × L × L] row-major"

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    torch.onnx.register_custom_op_symbolic("aten::max_unpool2d", _max_unpool2d, OPSET)
    dummy = torch.zeros(1, C, L, L)
    extra = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False  # torch ≥ 2.5: the TorchScript exporter (custom MaxUnpool symbolic)
    torch.onnx.export(model, dummy, onnx_path, opset_version=OPSET, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                      dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}}, do_constant_folding=True, **extra)
    onnx.checker.check_model(onnx.load(onnx_path))
    digest = sha256(onnx_path)
    with open(onnx_path + ".sha256", "w") as f:
        f.write(f"{digest}  model.onnx\n")

    # Golden pair: the first validation sample through torch.
    with torch.no_grad():
        out = model(torch.from_numpy(xq[None].astype(np.float32) / levels))[0].numpy()
    golden = {
        "note": golden_note,
        "inputLevels": levels,
        "inputShape": [1, C, L, L],
        "inputUint8Base64": base64.b64encode(xq.tobytes()).decode("ascii"),
        "output": [round(float(v), 7) for v in out],
        "atol": 1e-4,
        "rtol": 1e-3,
    }
    with open(os.path.join(args.out, "golden.json"), "w") as f:
        json.dump(golden, f)

    metrics = dict(ck.get("metrics", {}))
    config = {
        "name": args.name,
        "version": f"{args.name}-{ra['variant']}-{ra['loss']}-{ra.get('readout', 'fc')}-s{ra['seed']}-{datetime.date.today().isoformat()}",
        "variant": ra["variant"],
        "loss": ra["loss"],
        "readout": ra.get("readout", "fc"),
        "trainingArgs": {k: v for k, v in ra.items() if k not in ("out", "data", "resume", "blocks", "val_cache")},
        "L": L,
        "inputChannels": C,
        "inputLevels": levels,
        "inputName": INPUT_NAME,
        "outputName": OUTPUT_NAME,
        "outputLength": L,
        "featureParams": feature_params,
        "trainingManifestSha256": run["manifestSha256"],
        "trainingSamples": run["trainSamples"],
        "trainingMinutes": ra["minutes"],
        "parameters": run["parameters"],
        "opset": OPSET,
        "metrics": {"validation": metrics},
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    # The JSON files are reformatted by `npx prettier --write models/accord-ca` (the repo's format check).
    print(f"exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.1f} MB, sha256 {digest[:12]}…), config.json, golden.json")


if __name__ == "__main__":
    main()
