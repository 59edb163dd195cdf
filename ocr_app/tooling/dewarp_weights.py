"""UVDoc's MIT weights for the page-dewarping model, converted without PyTorch.

Why: UVDoc's authors publish their weights only as a PyTorch checkpoint (`py-reform`'s wheel
carries it, MIT). The network's graph is committed as `models/uvdoc.onnx`, whose weights live
outside it in `models/uvdoc.weights` (ONNX external data); `models/uvdoc.recipe.json` says
where each tensor goes and which batch norm is folded into which convolution. So the pack is
made from the checkpoint with NumPy alone, the same way from source and in the frozen app.

The checkpoint is a zip of pickled tensors; it is unpickled with a whitelist (an ordered dict
of tensors and nothing else), so a crafted file cannot run code.
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np

_DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "HalfStorage": np.float16,
           "DoubleStorage": np.float64, "IntStorage": np.int32}


class CheckpointError(ValueError):
    """The file is not a checkpoint of plain tensors."""


class _Storage:
    def __init__(self, dtype: type, raw: bytes) -> None:
        self.array = np.frombuffer(raw, dtype=dtype)


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_ignored: object) -> np.ndarray:
    items = storage.array.itemsize
    if not size:
        return storage.array[offset:offset + 1].reshape(()).copy()
    view = np.lib.stride_tricks.as_strided(storage.array[offset:], shape=size,
                                           strides=[s * items for s in stride])
    return np.ascontiguousarray(view)


class _StorageType:
    def __init__(self, name: str) -> None:
        self.dtype = _DTYPES[name]


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, zf: zipfile.ZipFile, root: str) -> None:
        super().__init__(io.BytesIO(data))
        self.zf, self.root = zf, root

    def find_class(self, module: str, name: str) -> object:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise CheckpointError(f"checkpoint holds {module}.{name}, not only tensors")

    def persistent_load(self, pid: tuple) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) >= 3 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise CheckpointError(f"unexpected storage reference {pid!r:.80}")
        return _Storage(pid[1].dtype, self.zf.read(f"{self.root}/data/{pid[2]}"))


def read_checkpoint(data: bytes) -> dict[str, np.ndarray]:
    """The state dict of a PyTorch zip checkpoint (`torch.save` format), as NumPy arrays."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        pkl = next(n for n in zf.namelist() if n.endswith("/data.pkl"))
    except (zipfile.BadZipFile, StopIteration) as exc:
        raise CheckpointError("not a PyTorch zip checkpoint") from exc
    state = _Unpickler(zf.read(pkl), zf, pkl.rsplit("/", 1)[0]).load()
    if isinstance(state, dict) and "model_state" in state:
        state = state["model_state"]
    if not isinstance(state, dict) or not all(isinstance(v, np.ndarray) for v in state.values()):
        raise CheckpointError("checkpoint is not a dict of tensors")
    return dict(state)


def folded(state: dict[str, np.ndarray], entry: dict, eps: float) -> np.ndarray:
    """One graph tensor: a checkpoint tensor as it is, or a convolution's weight or bias with
    the batch norm after it folded in (computed in float64, stored as float32, so the bytes
    are the same on every machine)."""
    bn = entry.get("bn")
    if bn is None:
        return state[entry["param"]].astype(np.float32)
    gamma, beta = state[f"{bn}.weight"].astype(np.float64), state[f"{bn}.bias"].astype(np.float64)
    mean, var = state[f"{bn}.running_mean"].astype(np.float64), state[f"{bn}.running_var"].astype(np.float64)
    scale = gamma / np.sqrt(var + eps)
    if entry["kind"] == "weight":
        weight = state[entry["param"]].astype(np.float64)
        return (weight * scale.reshape(-1, *([1] * (weight.ndim - 1)))).astype(np.float32)
    bias = state[entry["param"]].astype(np.float64) if entry.get("param") else np.zeros_like(mean)
    return ((bias - mean) * scale + beta).astype(np.float32)


def weights_blob(state: dict[str, np.ndarray], recipe: dict) -> bytes:
    """The bytes of the external-data file, every tensor at its recipe offset."""
    out = bytearray(recipe["size"])
    for entry in recipe["tensors"]:
        array = folded(state, entry, recipe["eps"]).reshape(entry["shape"])
        raw = array.astype("<f4").tobytes()
        out[entry["offset"]:entry["offset"] + len(raw)] = raw
    return bytes(out)


def converted(checkpoint: bytes, recipe_path: Path, sha256: str) -> bytes:
    """The weights file's bytes, converted from `checkpoint` by the recipe, and only if their
    sha256 is the expected one (CheckpointError otherwise)."""
    recipe = json.loads(recipe_path.read_text(encoding="utf-8"))
    blob = weights_blob(read_checkpoint(checkpoint), recipe)
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise CheckpointError("the converted weights do not match the manifest's sha256")
    return blob
