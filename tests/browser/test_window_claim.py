"""Browser walk-through of window intake and the claim (R8.2.5, issue 14 point 1).

A clerk (clerk.zz) registers a walk-in at the window with the applicant's phone, prints the
one-time claim code from the case page; the applicant registers online with the claim code
and the SAME phone, is signed in, sees the window case, signs out and signs in again with
that phone. The code cannot be used a second time.
"""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import shot
from test_cases import case_state
from test_portal_roles import WAIT, fill, login, logout, path_of, wait_path

NAME = "孙七"
ID_NUMBER = "410105199003030016"
PHONE = "13622223333"
PASSWORD = "Claim2026ok"


def press(d, element):
    """A click by script: in this phone-sized headless window, native clicks on the lower
    part of the long window form land beside their target (a checkbox two rows down, the
    submit button missed), as the old test_cases window walk-through now shows too."""
    d.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def submit(d, button_id: str):
    """Press a submit button and wait for the new page (as test_portal_roles.submit_and_wait)."""
    d.execute_script("window.__onevisitOldPage = true;")
    press(d, d.find_element(By.ID, button_id))
    WebDriverWait(d, WAIT).until(
        lambda drv: drv.execute_script("return window.__onevisitOldPage !== true && document.readyState === 'complete';"),
        message=f"#{button_id} did not load a new page")


def register_walk_in(d, server: str) -> str:
    """The clerk's window form for 食品经营许可 (郑州市); returns the case number."""
    d.get(server + "/desk/new")
    select = Select(WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "item"))))
    option = next(o for o in select.options if "食品经营许可" in o.text and "郑州市" in o.text)
    select.select_by_value(option.get_attribute("value"))
    submit(d, "choose-item")
    form = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "window-form")))
    Select(form.find_element(By.NAME, "applicantType")).select_by_value("person")
    fill(form, "name", NAME)
    fill(form, "idNumber", ID_NUMBER)
    fill(form, "phone", PHONE)
    first = form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")[0]
    press(d, first)
    assert first.is_selected()
    shot(d, "window-claim-1-intake-form")
    invalid = d.execute_script("return [...document.querySelectorAll('#window-form :invalid')].map(e => e.name)")
    assert invalid == [], invalid
    submit(d, "window-submit")
    assert "已收件" in case_state(d)
    return d.find_element(By.ID, "case-number").text


def print_claim_code(d) -> str:
    link = next(a for a in d.find_elements(By.CSS_SELECTOR, "a.small-button") if a.text == "出具账号认领码")
    press(d, link)
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "claim-code-form")))
    assert d.find_element(By.ID, "applicant-name").text == NAME
    assert d.find_element(By.ID, "claim-phone").text == PHONE[:3] + "****" + PHONE[-4:]
    submit(d, "claim-code-submit")
    code = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "claim-code"))).get_attribute("data-code")
    assert len(code) == 8
    shot(d, "window-claim-2-claim-code-slip")
    return code


def claim(d, server: str, code: str):
    d.get(server + "/register")
    form = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "register-form")))
    fill(form, "name", NAME)
    fill(form, "idNumber", ID_NUMBER)
    fill(form, "phone", PHONE)
    fill(form, "claimCode", code)
    fill(form, "password", PASSWORD)
    fill(form, "passwordConfirm", PASSWORD)
    shot(d, "window-claim-3-register-with-code")
    submit(d, "register-submit")


def test_walk_in_claims_the_window_account_with_the_same_phone(server, browser):
    d = browser
    login(d, server, "clerk.zz", "Demo@2026")
    number = register_walk_in(d, server)
    code = print_claim_code(d)
    logout(d)

    # the applicant claims online with the code and the phone the clerk recorded
    claim(d, server, code)
    wait_path(d, "/home")
    d.get(server + "/cases")
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "main")))
    assert number in d.find_element(By.ID, "main").text
    shot(d, "window-claim-4-applicant-sees-window-case")
    logout(d)

    # and signs in again with that phone and the new password
    login(d, server, PHONE, PASSWORD)
    wait_path(d, "/home")
    d.get(server + "/cases")
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "main")))
    assert number in d.find_element(By.ID, "main").text
    logout(d)

    # the same code a second time: refused with a clear message tied to the form
    claim(d, server, code)
    error = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "register-error")))
    assert "已注册" in error.text
    assert path_of(d) == "/register"
    shot(d, "window-claim-5-code-reused-refused")
