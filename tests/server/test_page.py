"""The `/` page's own script, run in Node against the real server: drop a file, read the text.

A stub DOM stands in for the browser (the page only touches a handful of elements); fetch,
File and Blob are Node's real ones. Skipped where Node is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from ocr_app.server import start_server
from ocr_app.server.page import PAGE_HTML
from tests.imagegen import cer, render_lines, save

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node not installed")

HARNESS = r"""
const fs = require('fs');
const [base, imagePath, token, script] = process.argv.slice(2);
const els = {}, store = {'ocrdesk-token': token};
function el(id) {
  return els[id] || (els[id] = {id, value: '', textContent: '', className: '', style: {}, files: [],
    listeners: {}, addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); },
    click() {}});
}
global.document = {getElementById: el, addEventListener() {}};
global.localStorage = {getItem: k => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = v; }};
URL.createObjectURL = () => 'blob:preview';
const realFetch = fetch;
global.fetch = (url, opts) => realFetch(base + url, opts);
eval(fs.readFileSync(script, 'utf8'));
const file = new File([fs.readFileSync(imagePath)], 'drop.png', {type: 'image/png'});
el('drop').listeners.drop[0]({preventDefault() {}, dataTransfer: {files: [file]}});
const started = Date.now();
(function wait() {
  const status = el('status').textContent;
  if (!status.startsWith('Recognising') || Date.now() - started > 60000) {
    console.log(JSON.stringify({status, error: el('status').className === 'err', text: el('out').value}));
  } else setTimeout(wait, 50);
})();
"""


def run_page(tmp_path, url: str, image, token: str = "") -> dict:
    script = re.search(r"<script>(.*?)</script>", PAGE_HTML, re.S).group(1)
    (tmp_path / "page.js").write_text(script)
    (tmp_path / "harness.js").write_text(HARNESS)
    img = save(image, tmp_path / "drop.png")
    done = subprocess.run([NODE, str(tmp_path / "harness.js"), url, str(img), token, str(tmp_path / "page.js")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dropped_image_text_shown(engine, tmp_path):
    lines = ["Dropped on the page 808", "网页拖放识别"]
    with start_server(engine, "127.0.0.1", 0) as handle:
        shown = run_page(tmp_path, handle.url, render_lines(lines))
    assert not shown["error"], shown
    assert "lines" in shown["status"]
    assert cer("\n".join(lines), shown["text"]) < 0.1, shown


def test_page_sends_stored_token_and_shows_refusal(engine, tmp_path):
    with start_server(engine, "127.0.0.1", 0, token="page-token") as handle:
        refused = run_page(tmp_path, handle.url, render_lines(["No token here"]), token="wrong")
        accepted = run_page(tmp_path, handle.url, render_lines(["With the token 11"]), token="page-token")
    assert refused["error"] and "401" in refused["status"]
    assert not accepted["error"] and cer("With the token 11", accepted["text"]) < 0.1
