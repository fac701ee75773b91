# SPDX-License-Identifier: GPL-2.0
"""Headless Chromium over --remote-debugging-pipe, standard library only.

The one browser driver of the kit: the guide's page check
(Documentation/check/browser_check.py), the deck's PDF printer
(slides/tools/pdf.py) and its render check (slides/check/render_check.py)
import it. One browser per process, a fresh profile each time, no network.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--remote-debugging-pipe", "--hide-scrollbars", "--mute-audio",
]

# For open(ready=...): resolves once a reveal.js deck is ready (markdown
# parsed, code highlighted).
REVEAL_READY = ("new Promise(r => (window.Reveal && Reveal.isReady()) ? r(true)"
              " : Reveal.on('ready', () => r(true)))")


def file_url(path, query=""):
    return "file://" + urllib.parse.quote(os.path.abspath(path)) + query


class Browser:
    """A Chromium DevTools Protocol client over the fd 3/4 pipe pair."""

    def __init__(self, chromium, width=1280, height=720):
        self.profile = tempfile.mkdtemp(prefix="kit-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def child_fds():
            # Chromium reads commands from fd 3 and answers on fd 4. Copy
            # both ends out of the way first: either may already be 3 or 4.
            ends = [os.dup(to_child_r), os.dup(from_child_w)]
            for fd, end in zip((3, 4), ends):
                os.dup2(end, fd)
                os.set_inheritable(fd, True)

        self.proc = subprocess.Popen(
            [chromium] + CHROMIUM_FLAGS +
            ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=child_fds,
            close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")
        attached = self.call("Target.attachToTarget",
                             targetId=target["targetId"], flatten=True)
        self.session = attached["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.viewport(width, height)

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=False, timeout=60, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    del self.events[i]
                    return ev
            self.events.append(self._read_message(deadline))

    def evaluate(self, expression, timeout=60):
        res = self.call("Runtime.evaluate", session=True, timeout=timeout,
                        expression=expression, returnByValue=True,
                        awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError("script failed: %s" % res["exceptionDetails"])
        return res["result"].get("value")

    def viewport(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride", session=True,
                  width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def open(self, url, ready=None):
        """Load URL, wait for the READY expression if given, then images."""
        self.events = [e for e in self.events
                       if e.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired")
        if ready:
            self.evaluate(ready)
        self.wait_images()

    def wait_images(self):
        self.evaluate("Promise.all(Array.from(document.images).map(i =>"
                      " i.complete ? 0 : new Promise(r => i.onload ="
                      " i.onerror = r)))")

    def screenshot(self, path):
        shot = self.call("Page.captureScreenshot", session=True,
                         format="png", captureBeyondViewport=False)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def full_page_screenshot(self, path, max_height=16000):
        """Screenshot the whole page, then restore the viewport."""
        width, height = self.evaluate(
            "[window.innerWidth, window.innerHeight]")
        page = self.evaluate("Math.ceil(document.documentElement"
                             ".getBoundingClientRect().height)")
        self.viewport(width, max(height, min(int(page), max_height)))
        self.screenshot(path)
        self.viewport(width, height)

    def print_pdf(self, path):
        pdf = self.call("Page.printToPDF", session=True, timeout=180,
                        printBackground=True, preferCSSPageSize=True,
                        displayHeaderFooter=False)
        with open(path, "wb") as f:
            f.write(base64.b64decode(pdf["data"]))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)
        shutil.rmtree(self.profile, ignore_errors=True)
