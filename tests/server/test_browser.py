"""The page at `/` in a real headless Chromium (Debian's chromium + chromedriver, driven by
Selenium): drop an image, see the text; and a page from another origin cannot make the
browser post to the API. Skipped where the browser, its driver or Selenium is missing."""

from __future__ import annotations

import base64
import contextlib
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ocr_app.server import start_server
from tests.imagegen import cer, render_lines, to_bytes

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (requirements-dev.txt)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="chromium/chromium-driver not installed (scripts/system_deps.sh)")

DROP = """
const [b64, name] = arguments;
const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
const dt = new DataTransfer();
dt.items.add(new File([bytes], name, {type: 'image/png'}));
document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));
"""


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ocrdesk-chromium-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    except Exception as exc:  # a browser that cannot start here is an environment issue, not a failure
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"chromium did not start: {exc}")
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait_for_text(driver, seconds: float = 60) -> tuple[str, str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = driver.find_element("id", "status").text
        if status and not status.startswith("Recognising"):
            return status, driver.find_element("id", "out").get_property("value")
        time.sleep(0.1)
    raise AssertionError("the page never showed a result")


def test_dropped_image_text_shown_in_chromium(engine, browser):
    lines = ["Dropped in Chromium 4242", "浏览器拖放识别"]
    with start_server(engine, "127.0.0.1", 0) as handle:
        browser.get(handle.url + "/")
        browser.execute_script(DROP, base64.b64encode(to_bytes(render_lines(lines))).decode(), "drop.png")
        status, text = wait_for_text(browser)
        refused = handle.service.counts["errors"]
    assert "lines" in status, status
    assert cer("\n".join(lines), text) < 0.1, text
    assert refused == 0  # the page's own POST is same-origin: the Origin check lets it through


class _Attacker(BaseHTTPRequestHandler):
    """Another origin whose page makes the visitor's browser post an image to the API."""

    html = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.html)))
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, *args) -> None:
        pass


def test_page_on_another_origin_cannot_post(engine, browser):
    data = base64.b64encode(to_bytes(render_lines(["Cross site post 13"]))).decode()
    with start_server(engine, "127.0.0.1", 0) as handle:
        target = f"{handle.url}/ocr"
        _Attacker.html = (f"<script>const b = Uint8Array.from(atob('{data}'), c => c.charCodeAt(0));"
                          f"const f = new FormData(); f.append('image', new Blob([b], {{type: 'image/png'}}), 'x.png');"
                          f"Promise.all([fetch('{target}', {{method: 'POST', mode: 'no-cors', body: f}}),"
                          f"fetch('{target}', {{method: 'POST', mode: 'no-cors', body: 'text',"
                          f" headers: {{'Content-Type': 'text/plain'}}}})])"
                          f".finally(() => document.title = 'sent');</script>").encode()
        other = ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        try:
            before = handle.service.engine.cache.stats()
            browser.get(f"http://localhost:{other.server_address[1]}/")
            deadline = time.monotonic() + 20
            while browser.title != "sent" and time.monotonic() < deadline:
                time.sleep(0.1)
            counts = dict(handle.service.counts)
            after = handle.service.engine.cache.stats()
        finally:
            with contextlib.suppress(OSError):
                other.shutdown()
                other.server_close()
    assert counts["ok"] == 0 and counts["errors"] == 2, counts  # both reached the server, both refused
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])
