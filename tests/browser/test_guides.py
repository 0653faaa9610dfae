"""Browser tests of the item catalog (issue 3): search by part of a Chinese word, open a
guide, download its blank form; a supervisor reads the ten-sames drift report."""
from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, shot
from test_portal_roles import WAIT, login, path_of, submit_and_wait

DOWNLOADS = ARTIFACTS / "downloads"


def test_search_open_guide_and_download_blank_form(server, browser):
    browser.get(server + "/")
    box = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.ID, "portal-q")))
    box.send_keys("食品")  # part of 食品经营许可
    browser.execute_script("window.__onevisitOldPage = true;")
    box.submit()
    WebDriverWait(browser, WAIT).until(
        lambda d: path_of(d) == "/guides" and d.execute_script("return window.__onevisitOldPage !== true && document.readyState === 'complete';"))
    links = browser.find_elements(By.CSS_SELECTOR, "a.guide-link")
    names = [link.text for link in links]
    assert any("食品经营许可" in n for n in names), names
    assert all("食品" in n for n in names), names
    shot(browser, "guides-search-food")

    target = next(link for link in links if "食品经营许可" in link.text)
    target.click()
    h1 = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "食品经营许可" in h1.text
    body = browser.find_element(By.TAG_NAME, "body").text
    for heading in ("申请材料", "办理流程", "收费", "办理地点与时间", "承诺时限"):
        assert heading in body, heading
    shot(browser, "guide-food-licence")

    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    for old in DOWNLOADS.glob("*"):
        old.unlink()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(DOWNLOADS)})
    form_link = browser.find_element(By.CSS_SELECTOR, "a.blank-form")
    assert form_link.get_attribute("href").endswith(".pdf")
    form_link.click()

    def downloaded(_):
        done = [p for p in DOWNLOADS.glob("*.pdf") if p.stat().st_size > 0]
        return done[0] if done else False

    pdf: Path = WebDriverWait(browser, WAIT).until(downloaded, message="the blank form was not downloaded")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "申请" in pdf.name or pdf.name.endswith(".pdf")


def test_supervisor_sees_ten_sames_drift(server, browser):
    login(browser, server, "supervisor.ha", "Demo@2026")
    browser.get(server + "/catalog/drift")
    h1 = WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    assert "三级十同" in h1.text
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "杞县" in text and "承诺时限" in text and "15 个工作日" in text
    shot(browser, "catalog-drift")


def test_catalog_admin_sees_blocked_guides(server, browser):
    login(browser, server, "catalog.ha", "Demo@2026")
    browser.get(server + "/catalog")
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.TAG_NAME, "table")))
    assert browser.find_elements(By.CSS_SELECTOR, "td .bad-text"), "R6.2 flags should be shown"
    shot(browser, "catalog-admin")
