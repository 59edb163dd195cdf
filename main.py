"""OCR Desk entry point.

  python main.py                 open the window
  python main.py ocr PATH...     headless CLI (see --help)
  python main.py serve           loopback REST API
  python main.py capture         read a screen region (see `capture --help`)
  python main.py history search QUERY   find text read before (kept on this computer only)
  python main.py bulk SRC... --out DIR   many files on a Ray cluster, resumable (docs/bulk.md)
  python main.py --self-test     load models, recognise the bundled sample, exit 0/1
  python main.py provision --pack fp32   add the optional FP32 models (bundles ship INT8 only)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "ocr":
        from ocr_app.cli import main as cli_main

        return cli_main(argv[1:])
    if argv and argv[0] == "serve":
        from ocr_app.server import main as serve_main

        return serve_main(argv[1:])
    if argv and argv[0] == "bulk":
        from ocr_app.bulk import main as bulk_main

        return bulk_main(argv[1:])
    if argv and argv[0] == "--self-test":
        from ocr_app.selftest import main as selftest_main

        return selftest_main(argv[1:])
    if argv and argv[0] == "provision":
        from ocr_app.tooling.packs import main as provision_main

        return provision_main(argv[1:])
    if argv and argv[0] == "history":
        from ocr_app.cli.history_command import main as history_main

        return history_main(argv[1:])
    if argv and argv[0] == "capture":
        from ocr_app.capture.command import main as capture_main

        return capture_main(argv[1:])
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    from ocr_app.capture.handover import open_in_running

    if open_in_running(argv):  # OCR Desk already runs: its window takes the files
        return 0
    from ocr_app.gui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
