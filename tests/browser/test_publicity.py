"""Browser test of the public register of granted decisions (R8.5.6, issue 14 point 4): reached
from the portal without signing in, the search box has a visible label, and at 375 px wide
nothing runs off the side."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import shot
from test_portal_roles import WAIT, path_of


def test_publicity_from_portal_at_375px(server, browser):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True})
    browser.get(server + "/")
    link = WebDriverWait(browser, WAIT).until(EC.element_to_be_clickable((By.ID, "nav-publicity")))
    link.click()
    WebDriverWait(browser, WAIT).until(lambda d: path_of(d) == "/publicity")
    assert "办理结果公示" in browser.find_element(By.TAG_NAME, "h1").text
    label = browser.find_element(By.CSS_SELECTOR, "label[for=publicity-q]")
    assert label.is_displayed() and label.size["width"] > 1, label.size
    box = browser.find_element(By.ID, "publicity-q")
    box.send_keys("不动产")
    browser.find_element(By.ID, "publicity-search-submit").click()
    WebDriverWait(browser, WAIT).until(lambda d: "q=" in d.current_url and d.execute_script("return document.readyState") == "complete")
    assert browser.find_element(By.ID, "publicity-q").get_attribute("value") == "不动产"
    overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
    assert overflow <= 0, f"{overflow}px wider than the 375px screen"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "证件号码" not in body.replace("证件号码、电话等个人信息不予公开", "")
    shot(browser, "publicity-375")
