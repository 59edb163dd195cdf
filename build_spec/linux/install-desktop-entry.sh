#!/bin/sh
# Add OCR Desk to the desktop's application menu for the current user (no root needed).
# Run from the unpacked folder: ./install-desktop-entry.sh     Remove: ./install-desktop-entry.sh --remove
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/ocr-desk.desktop" "$icons/ocr-desk.png"
    echo "OCR Desk menu entry removed"
    exit 0
fi
mkdir -p "$apps" "$icons"
cp "$here/ocr-desk.png" "$icons/ocr-desk.png"
# Absolute paths: the unpacked folder is not on PATH. Escape what sed's replacement treats specially.
esc() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
h=$(esc "$here"); i=$(esc "$icons")
sed -e "s|^Exec=.*|Exec=\"$h/ocr-desk\" %F|" -e "s|^TryExec=.*|TryExec=$h/ocr-desk|" \
    -e "s|^Icon=.*|Icon=$i/ocr-desk.png|" "$here/ocr-desk.desktop" > "$apps/ocr-desk.desktop"
chmod +x "$apps/ocr-desk.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
echo "OCR Desk added to the application menu ($apps/ocr-desk.desktop)"
