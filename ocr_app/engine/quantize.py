"""INT8 variants made with ONNX Runtime's own quantiser.

Measured on these conv-heavy recognisers: quantising every op (ConvInteger) is slower
and far less accurate, while weight-only INT8 on MatMul/Gemm keeps accuracy and is
faster. So the method is a per-model choice recorded in the manifest.
"""

from __future__ import annotations

import tempfile
from pathlib import Path


def quantise_dynamic_matmul(src: Path, dst: Path) -> None:
    """Dynamic INT8 (per-channel QInt8 weights) on MatMul/Gemm only."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory() as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        out = Path(tmp) / "q.onnx"
        quantize_dynamic(
            str(pre), str(out), weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Gemm"],
        )
        _copy_metadata(src, out)
        out.replace(dst)


def _copy_metadata(src: Path, dst: Path) -> None:
    """Keep the embedded character dictionary: the quantiser drops metadata_props."""
    import onnx

    original = onnx.load(str(src), load_external_data=False)
    if not original.metadata_props:
        return
    model = onnx.load(str(dst))
    del model.metadata_props[:]
    model.metadata_props.extend(original.metadata_props)
    onnx.save(model, str(dst))


METHODS = {"dynamic-matmul": quantise_dynamic_matmul}
