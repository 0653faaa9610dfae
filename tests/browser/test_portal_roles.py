"""Browser tests for the portal, applicant registration and every demo role's home page.

Page contract (implemented by the Swift app):
  /          <html lang="zh-CN">, #nav-login -> /login, #nav-register -> /register
  /register  #register-form with name, idNumber, phone, password, passwordConfirm, hidden csrf,
             #register-submit; success -> /home; bad ID -> 422 + .form-error, values kept
  /login     #login-form with username, password, totp, hidden csrf, #login-submit; success -> /home
  /home      <h1> with the role's Chinese name, <main data-role="...">, #logout (POST form)
"""
from __future__ import annotations

import html.parser
import http.cookiejar
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DEMO_LOGINS, DEMO_PASSWORD, TOTP_KEY, shot, totp

WAIT = 20  # seconds, for every explicit wait
CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------- helpers (pure)

def fresh_totp(key: bytes = TOTP_KEY, step: int = 30, margin: float = 3.0) -> str:
    """A code that stays valid for at least `margin` seconds (clock alignment, not UI sync)."""
    left = step - (time.time() % step)
    if left < margin:
        time.sleep(left + 0.1)
    return totp(key)


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a mainland resident ID number (GB 11643)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def make_id_number(region: str = "410102", birth: date = date(1990, 1, 1), seq: int | None = None) -> str:
    if seq is None:
        seq = random.randint(0, 999)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def wrong_check(id_number: str) -> str:
    good = id_number[-1]
    return id_number[:-1] + next(c for c in ID_CHECK if c != good)


def test_totp_rfc6238_vectors():
    key = b"12345678901234567890"
    assert totp(key, at=59, digits=8) == "94287082"
    assert totp(key, at=1111111109, digits=8) == "07081804"
    assert totp(key, at=59) == "287082"


def test_id_number_generator():
    assert id_check_char("11010519491231002") == "X"  # GB 11643 sample
    n = make_id_number(seq=123)
    assert n == "410102199001011234"
    assert re.fullmatch(r"41010219900101\d{3}[0-9X]", make_id_number())
    assert wrong_check(n)[-1] != n[-1]


# --------------------------------------------------------------------------- helpers (browser)

def path_of(driver) -> str:
    return urllib.parse.urlparse(driver.current_url).path


def wait_path(driver, path: str):
    WebDriverWait(driver, WAIT).until(lambda d: path_of(d) == path,
                                      message=f"expected to land on {path}")


def fill(form, name: str, value: str):
    el = form.find_element(By.NAME, name)
    el.clear()
    el.send_keys(value)


def tap(driver, element):
    """Click an element by script, after scrolling it to the middle of the screen. Native clicks
    under the phone emulation miss elements far down a long page (the emulated 412 px viewport
    and headless Chromium's window of at least 500 px disagree, so the click lands on the
    element beside the target); a user's tap has no such offset."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def submit_and_wait(driver, button_id: str):
    """Click a submit button and wait for the resulting page load (old page goes stale)."""
    # A marker on the old window object: a new document gets a fresh one. (EC.staleness_of is
    # flaky here: chromedriver sometimes reports "Node with given id does not belong to the
    # document" as an unknown error while the old page is being torn down.)
    driver.execute_script("window.__onevisitOldPage = true;")
    tap(driver, driver.find_element(By.ID, button_id))

    def new_page_ready(d):
        try:
            return d.execute_script(
                "return window.__onevisitOldPage !== true && document.readyState === 'complete';")
        except WebDriverException:  # page in transition
            return False

    WebDriverWait(driver, WAIT).until(new_page_ready, message=f"#{button_id} did not load a new page")


def login(driver, base_url: str, username: str, password: str, totp_code: str | None = None):
    driver.get(f"{base_url}/login")
    form = WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "login-form")))
    assert form.find_element(By.NAME, "csrf").get_attribute("type") == "hidden"
    fill(form, "username", username)
    fill(form, "password", password)
    if totp_code is not None:
        fill(form, "totp", totp_code)
    submit_and_wait(driver, "login-submit")


def assert_home(driver, role: str):
    wait_path(driver, "/home")
    main = WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "main[data-role]")))
    assert main.get_attribute("data-role") == role
    h1 = driver.find_element(By.TAG_NAME, "h1").text
    assert CJK.search(h1), f"<h1> should name the role in Chinese, got {h1!r}"
    assert driver.find_element(By.ID, "logout").is_displayed()


def logout(driver):
    submit_and_wait(driver, "logout")
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "nav-login")),
                                      message="after logout the page should offer #nav-login")


# --------------------------------------------------------------------------- tests

def test_portal_home(server, browser):
    browser.get(server + "/")
    login_link = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "nav-login")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert urllib.parse.urlparse(login_link.get_attribute("href")).path == "/login"
    reg = browser.find_element(By.ID, "nav-register")
    assert urllib.parse.urlparse(reg.get_attribute("href")).path == "/register"
    shot(browser, "portal-home")


def test_register_new_applicant(server, browser):
    good_id = make_id_number(seq=random.randint(1, 999))
    bad_id = wrong_check(good_id)
    phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
    name = "测试申请人" + random.choice("甲乙丙丁戊己庚辛")
    password = "Test@2026reg"

    browser.get(server + "/")
    WebDriverWait(browser, WAIT).until(EC.element_to_be_clickable((By.ID, "nav-register"))).click()
    wait_path(browser, "/register")
    form = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "register-form")))
    assert form.find_element(By.NAME, "csrf").get_attribute("type") == "hidden"
    for field, value in (("name", name), ("idNumber", bad_id), ("phone", phone),
                         ("password", password), ("passwordConfirm", password)):
        fill(form, field, value)
    submit_and_wait(browser, "register-submit")

    err = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".form-error")))
    assert "校验位" in err.text, f"unexpected error text: {err.text!r}"
    form = browser.find_element(By.ID, "register-form")
    assert form.find_element(By.NAME, "name").get_attribute("value") == name
    assert form.find_element(By.NAME, "phone").get_attribute("value") == phone
    shot(browser, "register-error")

    for field, value in (("name", name), ("idNumber", good_id), ("phone", phone),
                         ("password", password), ("passwordConfirm", password)):
        fill(form, field, value)
    submit_and_wait(browser, "register-submit")
    assert_home(browser, "applicant")
    shot(browser, "home-applicant-new")

    logout(browser)
    login(browser, server, phone, password)
    assert_home(browser, "applicant")


class _FormFields(html.parser.HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        elif self.inside and tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def test_register_bad_id_answers_422(server):
    """The status code is invisible to Selenium, so check it with a plain HTTP client."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(server + "/register", timeout=WAIT) as resp:
        page = resp.read().decode("utf-8")
    parser = _FormFields("register-form")
    parser.feed(page)
    assert "csrf" in parser.fields, "register form has no csrf field"
    good_id = make_id_number(seq=random.randint(1, 999))
    form = dict(parser.fields, name="状态码测试", idNumber=wrong_check(good_id),
                phone="139" + "".join(random.choice("0123456789") for _ in range(8)),
                password="Test@2026reg", passwordConfirm="Test@2026reg")
    req = urllib.request.Request(server + "/register", data=urllib.parse.urlencode(form).encode(),
                                 headers={"Origin": server, "Referer": server + "/register",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as exc:
        opener.open(req, timeout=WAIT)
    assert exc.value.code == 422
    body = exc.value.read().decode("utf-8")
    assert "form-error" in body and "校验位" in body


@pytest.mark.parametrize("username,role,needs_totp", DEMO_LOGINS, ids=[r for _, r, _ in DEMO_LOGINS])
def test_demo_login_home_logout(server, browser, username, role, needs_totp):
    login(browser, server, username, DEMO_PASSWORD, fresh_totp() if needs_totp else None)
    assert_home(browser, role)
    shot(browser, f"home-{role}")
    logout(browser)


def test_admin_login_without_totp_is_refused(server, browser):
    login(browser, server, "admin.ha", DEMO_PASSWORD)
    err = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".form-error")))
    assert err.text.strip()
    assert path_of(browser) == "/login"
    assert browser.find_elements(By.CSS_SELECTOR, "main[data-role]") == []
    shot(browser, "login-admin-no-totp")
