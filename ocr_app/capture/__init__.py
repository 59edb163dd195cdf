"""Quick capture: select part of the screen, get its text on the clipboard.

The overlay, toast, tray icon and global hotkey live in the running app; `handover` is the
light half a second process uses to hand its request to that app, so it never has to
import Qt or the engine (see docs/benchmarks.md, "Quick capture").
"""
