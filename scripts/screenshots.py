#!/usr/bin/env python
"""Regenerate the README screenshots (docs/screenshots/*.png) from a fresh demo college.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep]

Steps: migrate a temporary SQLite database, load the demo college (`seed_demo`), serve it with `runserver` on a
free port, take the screenshots with Playwright and the system Chromium (zh-CN, Asia/Shanghai), stop the
server. Nothing touches db.sqlite3 or media/ in the checkout. `--keep` leaves the temporary directory (database,
server log) for a look afterwards.

Needs Chromium (CHROMIUM_PATH, or `chromium` on PATH) and a CJK font (fonts-noto-cjk), as the e2e tests do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "Dangjian@2026"  # dangjian.demo.college.PASSWORD
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def log(message: str) -> None:
    print(f"[screenshots] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log(f"manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


@contextmanager
def server(env: dict, workdir: Path):
    """runserver on a free port; yields its base URL and stops it (by its own pid) on the way out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = open(workdir / "runserver.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"runserver exited with {proc.returncode}; see {workdir / 'runserver.log'}")
            try:
                with urllib.request.urlopen(f"{url}/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"runserver did not answer on {url}; see {workdir / 'runserver.log'}")
            time.sleep(0.2)
        log(f"runserver pid {proc.pid} on {url}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        log(f"runserver pid {proc.pid} stopped")


def broken_roster() -> bytes:
    """A roster file with one mistake of each common kind, for the preview's error table."""
    from dangjian.people.tests.xlsx import masses_row, member_row, table

    first = member_row(1)
    id_number = member_row(2)["身份证号"]
    rows = [
        first,
        member_row(2, 身份证号=id_number[:-1] + ("1" if id_number[-1] != "1" else "2")),
        member_row(3, 所在党支部="JY-T9"),
        member_row(4, 手机号码="1391234"),
        member_row(5, 政治面貌="中共预备党员"),
        member_row(6, **{"工号/学号": first["工号/学号"]}),
        masses_row(7, 所在党小组="第一党小组"),
    ]
    return table(list(first), *rows)


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("工号/学号或用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def take(page, out: Path, name: str, *, full_page: bool = False) -> None:
    path = out / name
    page.screenshot(path=path, full_page=full_page)
    log(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({path.stat().st_size // 1024} KB)")


def shoot(url: str, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []

    def watch(page) -> None:
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: problems.append(f"JS error: {e}"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        common = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        try:
            # The organiser (组织员): home, roster search, the import preview of a broken file, a restructure.
            context = browser.new_context(viewport=DESKTOP, **common)
            page = context.new_page()
            watch(page)
            log_in(page, url, "zuzhiyuan")
            expect(page.locator("h1.page-title")).to_have_text("工作台")
            page.locator(".chart canvas").first.wait_for()
            page.wait_for_timeout(1200)  # let the chart's opening animation finish
            take(page, out, "home-organiser.png")

            page.get_by_role("link", name="花名册").first.click()
            count = page.locator("#roster-count")
            everyone = count.inner_text()
            page.get_by_role("searchbox").press_sequentially("wang", delay=30)
            expect(count).not_to_have_text(everyone)
            page.wait_for_load_state("networkidle")
            take(page, out, "roster-search.png")

            page.get_by_role("link", name="导入").first.click()
            page.get_by_label("花名册文件（.xlsx）").set_input_files({
                "name": "花名册（待修改）.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": broken_roster(),
            })
            page.get_by_role("button", name="上传并预览").click()
            expect(page.locator("#errors-table")).to_be_visible()
            take(page, out, "import-preview-errors.png", full_page=True)

            # JY-T2 is half as large again as JY-T1: move its 第二党小组 over (preview only; not executed).
            page.get_by_role("link", name="党组织").first.click()
            page.get_by_role("link", name="教工第二党支部").first.click()
            page.locator("#unit-children").get_by_role("link", name="第二党小组").click()
            page.get_by_role("link", name="整建制调整").click()
            page.get_by_label("目标支部").select_option(label="教工第一党支部")
            expect(page.locator("#preview-table")).to_be_visible()
            page.get_by_label("调入后党小组名称").fill("第三党小组")
            page.get_by_label("调整原因").fill("教工第二党支部人数较多，第二党小组整建制转入教工第一党支部")
            page.get_by_label("调整原因").blur()
            expect(page.locator("[data-preview-problem]")).to_have_count(0)
            page.wait_for_load_state("networkidle")
            take(page, out, "restructure.png")
            context.close()

            # A member (党员) on a phone: their own record.
            context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                          **common)
            page = context.new_page()
            watch(page)
            log_in(page, url, "dangyuan")
            expect(page.locator("h1.page-title")).to_have_text("我的党员档案")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"the member's record scrolls sideways on a phone ({width} px > {PHONE['width']})")
            take(page, out, "person-mobile.png", full_page=True)
            context.close()
        finally:
            browser.close()
    if problems:
        raise SystemExit("problems while taking screenshots:\n" + "\n".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and server log")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium not found at {CHROMIUM}; set CHROMIUM_PATH")
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            raise SystemExit("no Chinese font installed: every 汉字 would be a box (apt-get install fonts-noto-cjk)")

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="dangjian-screenshots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DANGJIAN_REQUIRE_SECRET", None)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "MEDIA_ROOT", "DEBUG", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT))
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        import django

        django.setup()  # for the xlsx helpers (make_id_number) used to build the broken roster
        args.out.mkdir(parents=True, exist_ok=True)
        with server(env, workdir) as url:
            shoot(url, args.out)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    log(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
