"""Qt-free OCR engine: `Engine(EngineConfig()).run(path_or_bytes)` → `OcrResult`."""

from .errors import ModelError
from .pipeline import Engine, EngineConfig
from .result import Line, OcrResult

__all__ = ["Engine", "EngineConfig", "Line", "ModelError", "OcrResult"]
