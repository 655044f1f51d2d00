"""Fixtures for the browser journeys: the fixture college in a live server, logging in through the real form,
and a watch on the browser console so a CSP violation or a request to an outside host fails the journey.

The root conftest.py points pytest-playwright at the system Chromium (zh-CN, Asia/Shanghai).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dangjian.core.testing import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000
# Fonts that carry Chinese glyphs (fonts-noto-cjk, wqy, Droid fallback, the usual Windows and macOS ones).
CJK_FONT = re.compile(r"CJK|WenQuanYi|wqy|Droid Sans Fallback|Hei|Song|Kai|Fang|Ming|PingFang|YaHei|SimSun|\bSC\b",
                      re.IGNORECASE)


@pytest.fixture
def college_live(transactional_db, live_server, settings, tmp_path):
    """build_college() in the database the live server reads (import staging goes to a temp MEDIA_ROOT)."""
    from dangjian.core.testing import build_college

    settings.MEDIA_ROOT = tmp_path / "media"
    return build_college()


@dataclass
class Watch:
    """What the browser complained about during a journey."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        csp = [m for m in self.console_errors if "Content Security Policy" in m or "Refused to" in m]
        return (
            [f"CSP: {m}" for m in csp]
            + [f"JS error: {m}" for m in self.page_errors]
            + [f"request failed: {m}" for m in self.failed]
            + [f"request to an outside host: {u}" for u in self.outside]
            + [f"HTTP error: {r}" for r in self.bad_responses]
        )

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "browser problems during the journey:\n" + "\n".join(problems)


@pytest.fixture
def watch(page, live_server) -> Watch:
    """Collect console errors, uncaught exceptions, failed requests, HTTP errors and requests leaving the server."""
    w = Watch(origin=live_server.url)
    host = urlsplit(live_server.url).netloc
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda msg: w.console_errors.append(msg.text) if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: w.page_errors.append(str(exc)))

    def on_failed(request):
        # A navigation that replaces a page can abort its pending requests; only real failures count.
        if request.failure and "ERR_ABORTED" not in request.failure:
            w.failed.append(f"{request.url} ({request.failure})")

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            w.outside.append(request.url)

    def on_response(response):
        # No journey expects a 4xx/5xx: a missing static file or a server error is a bug.
        if response.status >= 400:
            w.bad_responses.append(f"{response.status} {response.request.method} {response.url}")

    page.on("requestfailed", on_failed)
    page.on("request", on_request)
    page.on("response", on_response)
    return w


def log_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and land on the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("工号/学号或用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def login(page, live_server):
    """login(username[, password]): log in through the login form as a person would."""
    return lambda username, password=PASSWORD: log_in(page, live_server, username, password)


def _png_pixels_vary(png: bytes) -> bool:
    """True when a PNG is not one flat colour: its filtered scanlines hold more than a handful of byte values."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return len(set(raw[: 4_000_000])) > 16


def rendered_fonts(page, selector: str) -> set[str]:
    """The platform fonts Chromium actually used to draw the text in `selector` and its descendants.

    DevTools' CSS.getPlatformFontsForNode reports, per element, the fonts its own text runs were drawn with —
    what the screen shows, not what the CSS asks for.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": f"{selector}, {selector} *"})["nodeIds"]
        assert nodes, f"no element matches {selector!r}"
        used = set()
        for node in nodes[:300]:
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
                if font.get("glyphCount"):
                    used.add(font["familyName"])
        return used
    finally:
        cdp.detach()


def assert_chinese_renders(page, selector: str, text: str) -> None:
    """`text` is on the page inside `selector`, and Chromium drew it with a font that has Chinese glyphs."""
    assert text in page.content()
    assert text in page.locator(selector).first.inner_text()
    fonts = rendered_fonts(page, selector)
    assert any(CJK_FONT.search(f) for f in fonts), f"{selector} ({text}) drawn with {fonts}: Chinese would be boxes"


def end_journey(page, name: str, watch: Watch, *, heading: str | None = None, full_page: bool = True) -> Path:
    """Check the Chinese heading renders, save the screenshot (not blank), and check the console stayed clean."""
    if heading:
        assert_chinese_renders(page, "h1.page-title", heading)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    png = page.screenshot(path=path, full_page=full_page)
    assert _png_pixels_vary(png), f"{path} is blank"
    watch.assert_clean()
    return path


@pytest.fixture
def finish(request, page, watch):
    """finish(heading=..., step=...): screenshot to test-artifacts/screenshots/<test>[--<step>].png, then checks.

    Call it with a `step` mid-journey for an intermediate screenshot, and without one at the end.
    """
    def _finish(*, heading: str | None = None, step: str | None = None, full_page: bool = True) -> Path:
        name = request.node.originalname + (f"--{step}" if step else "")
        return end_journey(page, name, watch, heading=heading, full_page=full_page)

    return _finish


@pytest.fixture
def chinese_renders(page):
    """chinese_renders(selector, text): the text is there and drawn with a font that has Chinese glyphs."""
    return lambda selector, text: assert_chinese_renders(page, selector, text)
