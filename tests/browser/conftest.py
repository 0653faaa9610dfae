"""Fixtures for the OneVisit browser tests.

`server`  - session-wide: migrates + seeds a fresh SQLite database under .artifacts/browser/run/,
            starts `.build/debug/onevisit serve` on a free 127.0.0.1 port, yields its base URL.
`browser` - per test: headless Chromium (phone-sized window, zh-CN) via /usr/bin/chromedriver.
`shot(driver, name)` saves .artifacts/screenshots/<name>.png.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / ".artifacts"
BROWSER_DIR = ARTIFACTS / "browser"
SCREENSHOTS = ARTIFACTS / "screenshots"
BIN = Path(os.environ.get("ONEVISIT_TEST_BIN", REPO / ".build" / "debug" / "onevisit"))

CHROMIUM = os.environ.get("ONEVISIT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ONEVISIT_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")

STARTUP_TIMEOUT = 30.0

# The demo accounts (`onevisit seed --demo`), shared by the browser and the reliability tests.
DEMO_PASSWORD = "Demo@2026"
TOTP_KEY = b"onevisit-demo-totp"
DEMO_LOGINS = [
    # (username, role, needs TOTP)
    ("13800000001", "applicant", False),
    ("clerk.zz", "windowClerk", False),
    ("reviewer.zz", "departmentReviewer", False),
    ("head.zz", "departmentHead", False),
    ("catalog.ha", "catalogAdmin", False),
    ("supervisor.ha", "supervisor", False),
    ("admin.ha", "systemAdmin", True),
    ("auditor.ha", "auditor", True),
]


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA-1) with `key` used as raw HMAC key bytes."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


_USED_TOTP_STEPS: dict[tuple[str, str], int] = {}


def unused_totp(base: str, name: str, step: int = 30) -> str:
    """A code for `name` on the server at `base` that this process has not used yet: the
    server accepts each 30 s step once per account (replay protection) and the next step as
    clock drift, so a second sign-in within one step takes the next step's code, and a third
    waits for the step to turn."""
    now_step = int(time.time() // step)
    wanted = max(now_step, _USED_TOTP_STEPS.get((base, name), -1) + 1)
    if wanted > now_step + 1:
        time.sleep((wanted - 1) * step - time.time() + 0.5)
    _USED_TOTP_STEPS[(base, name)] = wanted
    return totp(TOTP_KEY, at=wanted * step)


def call(base: str, method: str, path: str, body: dict | None = None, token: str | None = None, timeout: float = 10):
    """One JSON API call: (status, decoded body or None on an HTTP error)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def shot(driver, name: str) -> Path:
    """Save a PNG screenshot as .artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def server():
    if not BIN.exists():
        pytest.fail(f"{BIN} not found: run `swift build --build-tests` (or `make build`) first")

    run_dir = BROWSER_DIR / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    log_path = BROWSER_DIR / "server.log"

    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEVISIT_")}
    env["ONEVISIT_DATABASE_URL"] = f"sqlite:{run_dir / 'onevisit.sqlite'}"
    env["ONEVISIT_DATA_DIR"] = str(run_dir / "files")
    # The walk-through pays through the simulated gateway, which exists only in demo mode.
    env["ONEVISIT_DEMO"] = "true"
    # Let a developer speed up bcrypt for local runs without changing the default.
    if "ONEVISIT_BCRYPT_COST" in os.environ:
        env["ONEVISIT_BCRYPT_COST"] = os.environ["ONEVISIT_BCRYPT_COST"]

    with open(log_path, "wb") as log:
        for args in (["migrate"], ["seed", "--demo"]):
            log.write(f"$ onevisit {' '.join(args)}\n".encode())
            log.flush()
            res = subprocess.run([str(BIN), *args], cwd=REPO, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, timeout=300)
            if res.returncode != 0:
                pytest.fail(f"`onevisit {' '.join(args)}` exited {res.returncode}:\n{_log_tail(log_path)}")

        proc, base_url = start_server(env, log, log_path)
    try:
        yield base_url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _chrome_options() -> Options:
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=412,915", "--lang=zh-CN"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # Headless Chromium clamps --window-size to a minimum width of 500 px; device metrics
    # emulation gives a real 412 px phone viewport (and honours <meta name="viewport">).
    opts.add_experimental_option("mobileEmulation",
                                 {"deviceMetrics": {"width": 412, "height": 915, "pixelRatio": 1}})
    return opts


def make_driver() -> webdriver.Chrome:
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=_chrome_options())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


@pytest.fixture
def browser(request):
    driver = make_driver()
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
            try:
                shot(driver, f"FAILED-{safe}")
            except Exception:  # noqa: BLE001 - best effort only
                pass
        driver.quit()


def start_server(env: dict, log, log_path: Path | None = None, timeout: float = STARTUP_TIMEOUT) -> tuple[subprocess.Popen, str]:
    """`onevisit serve` with `env` on a free loopback port, writing to the binary file `log`, once /healthz
    answers 200 (<= `timeout` s): (process, base URL). Otherwise the process is killed and the test fails,
    with the tail of `log_path` when given."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log.write(f"$ onevisit serve --host 127.0.0.1 --port {port}\n".encode())
    log.flush()
    proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    def fail(message: str):
        pytest.fail(message + (f":\n{_log_tail(log_path)}" if log_path else ""))

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        try:  # bounded poll interval that also notices an early exit
            rc = proc.wait(timeout=0.1)
            fail(f"server exited with {rc} before becoming healthy")
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait(timeout=5)
    fail(f"server did not answer GET /healthz with 200 within {timeout:.0f} s")
