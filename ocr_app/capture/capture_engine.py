"""Which engine reads captures, and loading it on a thread for a cold `main.py capture`.

Screen text is drawn 1:1 in device pixels, so the capture engine does not upscale small
regions as the batch does for photographed small print: on an 800×300 region that
upscale costs 4× the detector time (545 → 120 ms) and measured no accuracy on screen text
(CER 0 at 10-18 px fonts either way). It also decodes QR codes and barcodes.

No Qt here: a cold capture starts this loading before it imports Qt, so NumPy, OpenCV and
ONNX Runtime load while Qt starts and the user selects.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocr_app.engine import Engine, EngineConfig


def capture_config(base: EngineConfig) -> EngineConfig:
    """The batch settings (models, precision, threads) with the capture tweaks above."""
    config = dataclasses.replace(base, detector=dataclasses.replace(base.detector, max_upscale=1.0))
    if hasattr(config, "with_post"):  # the engine with switchable post-processors
        return config.with_post("codes", True)
    return dataclasses.replace(config, **{"detect_codes": True})  # the engine before them


class EngineLoad:
    """Builds Engine(capture_config(base_config())) on a thread, starting at once."""

    def __init__(self, base_config: Callable[[], EngineConfig]):
        self._base_config = base_config
        self._engine: Engine | None = None
        self._error = ""
        self._thread = threading.Thread(target=self._load, name="engine-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from ocr_app.engine import Engine

            self._engine = Engine(capture_config(self._base_config()))
        except Exception as exc:  # models missing or damaged: the command reports it
            self._error = str(exc) or type(exc).__name__

    def result(self) -> tuple[Engine | None, str]:
        """(engine, "") once loaded, or (None, why not)."""
        self._thread.join()
        return self._engine, self._error
