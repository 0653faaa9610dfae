"""Browser walk-throughs of a case (issue 4).

1. Online: an applicant applies with a secondary material missing, the clerk accepts with
   tolerance and prints the slip, two departments review in parallel, the applicant
   supplies the material, the head approves, the applicant pays online and downloads the
   result; the case shows 0 trips.
2. Window: a walk-in application, a one-time notice, the correction, acceptance, and a
   rejection whose decision states the applicant's rights.
"""
from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ARTIFACTS, shot
from test_portal_roles import WAIT, login, logout, path_of, submit_and_wait, tap

FILES = ARTIFACTS / "upload-files"
DOWNLOADS = ARTIFACTS / "downloads-case"


def pdf(name: str) -> str:
    FILES.mkdir(parents=True, exist_ok=True)
    path = FILES / name
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n")
    return str(path)


def case_state(driver) -> str:
    return WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "case-state"))).text


def open_case(driver, base: str, case_path: str):
    driver.get(base + case_path)
    WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.ID, "case-number")))


def click_submit(driver, element_id: str):
    submit_and_wait(driver, element_id)


def submit_form_button(driver, button):
    driver.execute_script("window.__onevisitOldPage = true;")
    tap(driver, button)
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return window.__onevisitOldPage !== true && document.readyState === 'complete';"))


def test_online_case_with_tolerance_to_download(server, browser):
    d = browser
    login(d, server, "13800000001", "Demo@2026")
    d.get(server + "/guides?" + urllib.parse.urlencode({"q": "不动产", "region": "410100"}))
    link = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.guide-link")))
    link.click()
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "apply-online"))).click()
    form = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "apply-form")))
    # the account's data is already in the form
    assert "张三" in d.find_element(By.TAG_NAME, "main").text
    uploads = form.find_elements(By.CSS_SELECTOR, "input[type=file]")
    names = [u.get_attribute("name") for u in uploads]
    secondary = "material_5"
    assert secondary in names, names
    for upload in uploads:
        if upload.get_attribute("name") != secondary:
            upload.send_keys(pdf(upload.get_attribute("name") + ".pdf"))
    Select(d.find_element(By.ID, "feeCondition")).select_by_value("住宅")  # R8.6: the fee depends on it
    Select(d.find_element(By.ID, "deliveryMode")).select_by_value("download")
    shot(d, "case-apply-form")
    click_submit(d, "apply-submit")
    assert "申请已提交" in d.find_element(By.TAG_NAME, "main").text
    case_path = path_of(d)
    number = d.find_element(By.ID, "case-number").text
    assert re.fullmatch(r"410100-\d{8}-[0-9A-Z]{7}", number), number
    assert "已收件" in case_state(d)
    shot(d, "case-submitted")
    logout(d)

    # the clerk accepts with tolerance and opens the slip to print
    login(d, server, "clerk.zz", "Demo@2026")
    d.get(server + "/desk")
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.case-link")))
    assert number in d.find_element(By.TAG_NAME, "main").text
    open_case(d, server, case_path)
    click_submit(d, "tolerance-submit")
    assert "审查中" in case_state(d)
    slip = next(a for a in d.find_elements(By.CSS_SELECTOR, "a.document-link") if a.text == "容缺受理通知书")
    slip.click()
    doc = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "document")))
    text = doc.text
    for part in ("容缺受理通知书", "受理编号", "承诺办结时间", "需补交的材料", "授权委托书"):
        assert part in text, part
    shot(d, "case-tolerance-slip")
    logout(d)

    # two departments review at the same time
    for reviewer in ("reviewer.zz.zr", "reviewer.zz.sw"):
        login(d, server, reviewer, "Demo@2026")
        d.get(server + "/work")
        WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.task-link")))
        open_case(d, server, case_path)
        buttons = d.find_elements(By.CSS_SELECTOR, "form.review-form button")
        assert len(buttons) == 1, f"{reviewer} should see exactly its own task"
        submit_form_button(d, buttons[0])
        logout(d)

    # the applicant supplies the missing material
    login(d, server, "13800000001", "Demo@2026")
    open_case(d, server, case_path)
    assert "审查完毕" in case_state(d)
    supply = d.find_element(By.CSS_SELECTOR, "form.supply-form")
    supply.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(pdf("委托书.pdf"))
    submit_form_button(d, supply.find_element(By.TAG_NAME, "button"))
    assert "容缺材料已全部补齐" in d.find_element(By.TAG_NAME, "main").text
    logout(d)

    # the head of the lead department approves
    login(d, server, "head.zz.zr", "Demo@2026")
    open_case(d, server, case_path)
    Select(d.find_element(By.ID, "decision")).select_by_value("approve")
    click_submit(d, "decide-submit")
    assert "准予" in case_state(d)
    logout(d)

    # pay online and download the result
    login(d, server, "13800000001", "Demo@2026")
    open_case(d, server, case_path)
    click_submit(d, "pay-submit")
    WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "gateway-confirm")))
    assert "80.00 元" in d.find_element(By.TAG_NAME, "main").text
    shot(d, "case-gateway")
    click_submit(d, "gateway-confirm")
    assert "已缴费" in d.find_element(By.TAG_NAME, "main").text
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    for old in DOWNLOADS.glob("*"):
        old.unlink()
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(DOWNLOADS)})
    d.find_element(By.ID, "result-download").click()

    def downloaded(_):
        done = [p for p in DOWNLOADS.glob("*.pdf") if p.stat().st_size > 0]
        return done[0] if done else False

    result: Path = WebDriverWait(d, WAIT).until(downloaded, message="the result was not downloaded")
    assert result.read_bytes().startswith(b"%PDF-")
    open_case(d, server, case_path)
    assert "已办结" in case_state(d)
    assert d.find_element(By.ID, "trips").text == "0 次"
    shot(d, "case-delivered")


def test_window_case_notice_correction_and_rejection(server, browser):
    d = browser
    login(d, server, "clerk.zz", "Demo@2026")
    d.get(server + "/desk/new")
    select = Select(WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "item"))))
    option = next(o for o in select.options if "食品经营许可" in o.text and "郑州市" in o.text)
    select.select_by_value(option.get_attribute("value"))
    click_submit(d, "choose-item")
    form = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "window-form")))
    form.find_element(By.NAME, "name").send_keys("赵六")
    form.find_element(By.NAME, "idNumber").send_keys("410122197803050020")
    form.find_element(By.NAME, "phone").send_keys("13611112222")
    boxes = form.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    tap(d, boxes[0])  # only the application form was handed in
    click_submit(d, "window-submit")
    case_path = path_of(d)
    assert "已收件" in case_state(d)
    assert d.find_element(By.ID, "trips").text == "1 次"

    # one notice listing everything missing
    click_submit(d, "notice-submit")
    assert "待补正" in case_state(d)
    notice = next(a for a in d.find_elements(By.CSS_SELECTOR, "a.document-link") if a.text == "一次性告知书")
    notice.click()
    doc = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "document"))).text
    assert "需补正的全部内容" in doc and "请补交" in doc
    shot(d, "case-one-time-notice")

    # the corrections are handed in; the case is accepted
    open_case(d, server, case_path)
    click_submit(d, "clerk-resubmit")
    assert "已收件" in case_state(d)
    click_submit(d, "accept-submit")
    assert "审查中" in case_state(d)
    logout(d)

    login(d, server, "reviewer.zz", "Demo@2026")
    open_case(d, server, case_path)
    review = d.find_element(By.CSS_SELECTOR, "form.review-form")
    Select(review.find_element(By.NAME, "opinion")).select_by_value("reject")
    review.find_element(By.NAME, "note").send_keys("经营场所与食品安全要求不符")
    submit_form_button(d, review.find_element(By.TAG_NAME, "button"))
    logout(d)

    login(d, server, "head.zz", "Demo@2026")
    open_case(d, server, case_path)
    Select(d.find_element(By.ID, "decision")).select_by_value("reject")
    d.find_element(By.ID, "decision-reason").send_keys("经营场所不符合食品安全要求")
    click_submit(d, "decide-submit")
    assert "不予办理" in case_state(d)
    decision = next(a for a in d.find_elements(By.CSS_SELECTOR, "a.document-link") if a.text == "不予行政许可决定书")
    decision.click()
    doc = WebDriverWait(d, WAIT).until(EC.presence_of_element_located((By.ID, "document"))).text
    assert "六十日内" in doc and "行政复议" in doc and "六个月内" in doc and "行政诉讼" in doc
    shot(d, "case-rejection-decision")
