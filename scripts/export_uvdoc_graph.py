"""Export UVDoc's network as a weight-free ONNX graph (run once by a developer; needs PyTorch).

    python -m venv V && V/bin/pip install torch onnx py-reform==0.1.3
    V/bin/python scripts/export_uvdoc_graph.py

Writes models/uvdoc.onnx (the graph; its weights are external data in models/uvdoc.weights)
and models/uvdoc.recipe.json (where each weight comes from in UVDoc's checkpoint). Both are
committed; the weights are made at provisioning by ocr_app/tooling/dewarp_weights.py with
NumPy alone. Batch norms are folded into the convolutions before export by that same module,
so the exported initialisers are exactly what the converter writes (checked below).
Only the 2-D grid head is exported: the app never uses the 3-D one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import external_data_helper, numpy_helper
from py_reform.models import uvdoc_model
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ocr_app.tooling.dewarp_weights import folded, read_checkpoint, weights_blob  # noqa: E402

MODELS = ROOT / "models"
INPUT_HW = (712, 488)  # UVDoc's training size (height, width)
EPS = 1e-5


def conv_bn_pairs(model: nn.Module) -> list[tuple[str, str, nn.Module, str]]:
    """(conv name, bn name, parent of the bn, bn attribute) for every BatchNorm2d right after a Conv2d."""
    modules = dict(model.named_modules())
    pairs = []
    for name, module in model.named_modules():
        if isinstance(module, nn.Sequential):
            kids = list(module.named_children())
            for (a, first), (b, second) in itertools.pairwise(kids):
                if isinstance(first, nn.Conv2d) and isinstance(second, nn.BatchNorm2d):
                    pairs.append((f"{name}.{a}", f"{name}.{b}", module, b))
        if isinstance(module, uvdoc_model.ResidualBlockWithDilation):
            for conv, bn in (("conv1", "bn1"), ("conv2", "bn2")):
                conv_name = f"{name}.{conv}"
                if isinstance(modules[conv_name], nn.Sequential):
                    conv_name += ".0"
                pairs.append((conv_name, f"{name}.{bn}", module, bn))
    return pairs


class Grid2D(nn.Module):
    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[0]


def main() -> None:
    ckpt = Path(uvdoc_model.DEFAULT_MODEL_PATH).read_bytes()
    state = read_checkpoint(ckpt)
    net = uvdoc_model.UVDocNet(num_filter=32, kernel_size=5)
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    net.eval()
    x = torch.rand(1, 3, *INPUT_HW, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        reference = net(x)[0].numpy()

    entries: dict[str, dict] = {}  # fused parameter name -> recipe entry
    modules = dict(net.named_modules())
    for conv_name, bn_name, parent, attr in conv_bn_pairs(net):
        conv = modules[conv_name]
        bias_param = f"{conv_name}.bias" if conv.bias is not None else None
        w = {"param": f"{conv_name}.weight", "bn": bn_name, "kind": "weight"}
        b = {"param": bias_param, "bn": bn_name, "kind": "bias"}
        conv.weight = nn.Parameter(torch.from_numpy(folded(state, w, EPS)))
        conv.bias = nn.Parameter(torch.from_numpy(folded(state, b, EPS)))
        setattr(parent, attr, nn.Identity())
        entries[f"{conv_name}.weight"], entries[f"{conv_name}.bias"] = w, b
    for name, _ in net.named_parameters():
        entries.setdefault(name, {"param": name, "bn": None, "kind": "plain"})
    with torch.no_grad():
        fused_out = net(x)[0].numpy()
    print("fused vs checkpoint, max |diff|:", float(np.abs(fused_out - reference).max()))

    out = MODELS / "uvdoc.onnx"
    torch.onnx.export(Grid2D(net), (x,), str(out), input_names=["image"], output_names=["grid"],
                      opset_version=17, do_constant_folding=True, dynamo=False)
    model = onnx.load(str(out))
    params = {f"net.{k}": v for k, v in entries.items()}
    tensors, offset = [], 0
    for init in model.graph.initializer:
        entry = params.get(init.name)
        if entry is None:
            continue  # a small constant of the graph (shapes, pads): stays inside it
        array = numpy_helper.to_array(init)
        expected = folded(state, entry, EPS).reshape(array.shape)
        assert np.array_equal(array, expected), init.name
        tensors.append({"name": init.name, "shape": list(array.shape), "offset": offset, **entry})
        length = array.size * 4
        external_data_helper.set_external_data(init, "uvdoc.weights", offset=offset, length=length)
        init.ClearField("raw_data")
        init.ClearField("float_data")
        init.data_location = onnx.TensorProto.EXTERNAL
        offset += (length + 63) // 64 * 64
    recipe = {"source": "py-reform 0.1.3: py_reform/models/weights/best_model.pkl (UVDoc, MIT)",
              "eps": EPS, "size": offset, "input_hw": list(INPUT_HW), "tensors": tensors}
    left = [i.name for i in model.graph.initializer if i.data_location != onnx.TensorProto.EXTERNAL]
    print(f"{len(tensors)} external tensors ({offset} bytes); inline: {left}")
    onnx.save(model, str(out))
    (MODELS / "uvdoc.recipe.json").write_text(json.dumps(recipe, indent=1) + "\n", encoding="utf-8")
    blob = weights_blob(state, recipe)
    (MODELS / "uvdoc.weights").write_bytes(blob)
    print("weights sha256:", hashlib.sha256(blob).hexdigest())
    import onnxruntime as ort

    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {"image": x.numpy()})[0]
    print("onnx vs checkpoint, max |diff|:", float(np.abs(got - reference).max()), got.shape)


if __name__ == "__main__":
    main()
