"""Qt-free OCR engine: `Engine(EngineConfig()).run(path_or_bytes)` → `OcrResult`.

These names are the engine's public surface; consumers (cli, gui, server, jobs, export)
import nothing else from it.
"""

from .config import PRECISIONS, EngineConfig
from .dewarp import installed as dewarp_installed
from .errors import ErrorKind, ImageLoadError, ModelError
from .layout import DEFAULT_MODE as DEFAULT_LAYOUT
from .layout import MODES as LAYOUT_MODES
from .layout import lay_out
from .load import LoadedImage, load
from .models import installed_precisions, model_set_names, pack_command
from .pipeline import Engine
from .post import DEFAULT_POST
from .post import NAMES as POST_PROCESSORS
from .preprocess import STAGES
from .preview import preview
from .result import DOUBTFUL, Line, OcrResult, Origin

__all__ = ["DEFAULT_LAYOUT", "DEFAULT_POST", "DOUBTFUL", "LAYOUT_MODES", "POST_PROCESSORS", "PRECISIONS", "STAGES",
           "Engine", "EngineConfig", "ErrorKind", "ImageLoadError", "Line", "LoadedImage", "ModelError", "OcrResult",
           "Origin", "dewarp_installed", "installed_precisions", "lay_out", "load", "model_set_names", "pack_command",
           "preview"]
