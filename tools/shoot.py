"""Screenshot pages of a built site at phone and desktop widths, for people to look at.

    python tools/shoot.py output /tmp/shots zh/ zh/projects/ en/parks/xipeng/
"""

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright


def main(out_dir, shots_dir, paths):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=out_dir)
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    Path(shots_dir).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for width, height, tag in ((390, 844, "phone"), (1280, 900, "desktop")):
            page = browser.new_page(viewport={"width": width, "height": height})
            for path in paths:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_") or "root"
                page.screenshot(path=f"{shots_dir}/{name}-{tag}.png", full_page=True)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
