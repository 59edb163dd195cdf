"""The engine's settings: everything that changes a result is in `fingerprint` (the cache key)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from .detect import DetectorConfig
from .models import PRECISIONS
from .post import DEFAULT_POST

__all__ = ["PRECISIONS", "EngineConfig"]


@dataclass
class EngineConfig:
    model_set: str | None = None  # None → the manifest's default
    precision: str = "int8"  # "int8" or "fp32"
    threads: int = 0  # ONNX Runtime intra-op threads; 0 → physical cores
    use_cls: bool = True  # angle classifier for upside-down lines
    orient_pages: bool = True  # turn sideways pages (90°/270°) upright before reading them
    flatten_pages: bool = False  # photographed page on a background: read it perspective-corrected
    dewarp_pages: bool = False  # curled or folded page photo: read it unbent (the dewarp pack; replaces flattening)
    min_confidence: float = 0.5  # drop recognised lines below this
    post: tuple[str, ...] = DEFAULT_POST  # post-processors, in the order they run (see engine/post)
    detector: DetectorConfig = field(default_factory=DetectorConfig)
    rec_batch: int = 8
    cache_items: int = 256
    disk_cache: bool = False

    def fingerprint(self) -> str:
        """Settings that change results (not threads or caching)."""
        keep = {k: v for k, v in asdict(self).items() if k not in ("threads", "cache_items", "disk_cache")}
        return repr(sorted(keep.items()))

    def with_post(self, name: str, enabled: bool) -> EngineConfig:
        """This config with one post-processor switched on (appended) or off."""
        post = tuple(p for p in self.post if p != name)
        return replace(self, post=(*post, name) if enabled else post)
