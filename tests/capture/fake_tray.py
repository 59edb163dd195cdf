"""A stand-in system tray for Xvfb: owns the _NET_SYSTEM_TRAY_S0 selection, so Qt sees a
tray and shows its icon (nothing is drawn; docking requests are ignored).

Prints "ready" once it owns the selection; exits when its stdin closes.
"""

from __future__ import annotations

import sys

from Xlib import X, display
from Xlib.protocol import event


def main() -> int:
    d = display.Display()
    root = d.screen().root
    owner = root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent)
    selection = d.intern_atom("_NET_SYSTEM_TRAY_S0")
    owner.set_selection_owner(selection, X.CurrentTime)
    announce = event.ClientMessage(window=root, client_type=d.intern_atom("MANAGER"),
                                   data=(32, [X.CurrentTime, selection, owner.id, 0, 0]))
    root.send_event(announce, event_mask=X.StructureNotifyMask)
    d.sync()
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
