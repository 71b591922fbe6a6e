"""The staff console in a real browser (Debian's Chromium, headless, through
chromedriver): what an adviser, a supervisor and an auditor do, as they do it.

Run by Tests/CenterTests/ConsoleBrowserTests.swift against a real
`kiosk-center serve`; reads its settings from the environment, prints one
line per scenario, exits non-zero on the first failure, and keeps a
screenshot of each page in $SCREENSHOTS."""
import os
import sqlite3
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
import kiosk_wire  # noqa: E402

CONSOLE = os.environ["CONSOLE_URL"]
INTAKE = os.environ.get("INTAKE_URL")
SECRET = os.environ.get("KIOSK_SECRET")
PASSWORD = os.environ["STAFF_PASSWORD"]
SHOTS = os.environ["SCREENSHOTS"]
SPOOL = os.environ.get("PRINTER_SPOOL", "")
OPEN = []  # the browsers this run opened, the latest last
KIOSK = "JA0301"


def browser(width=1366, height=768):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=%d,%d" % (width, height), "--lang=zh-CN"]:
        options.add_argument(argument)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    OPEN.append(driver)
    return driver


def shot(driver, name, full=False):
    if full:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(driver.get_window_size()["width"], max(768, height))
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def check(condition, what):
    if not condition:
        print("FAILED: " + what, flush=True)
        if OPEN:
            # The page as it stood when the check failed, for whoever reads the failure.
            OPEN[-1].save_screenshot(os.path.join(SHOTS, "failed.png"))
            print("page: " + text(OPEN[-1])[:1500], flush=True)
        raise SystemExit(1)
    print("ok: " + what, flush=True)


def sign_in(driver, name, password=PASSWORD):
    driver.delete_all_cookies()
    driver.get(CONSOLE + "/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    type_and_enter(driver, driver.find_element(By.NAME, "password"), password)


def type_and_enter(driver, element, value):
    """Types into a field, presses Enter and waits until the next page has
    loaded, as submit() does: reading the page before would race the server."""
    driver.execute_script("window.__before = true")
    element.send_keys(value + Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return window.__before === undefined && document.readyState === 'complete'"))


def submit(driver, element_id=None, xpath=None):
    """Clicks a form's button and waits until the next page has loaded (a
    mark left on this page's window is gone)."""
    driver.execute_script("window.__before = true")
    driver.find_element(By.XPATH, xpath).click() if xpath else driver.find_element(By.ID, element_id).click()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return window.__before === undefined && document.readyState === 'complete'"))


def inbox_row(driver, receipt):
    driver.get(CONSOLE + "/inbox")
    return [row for row in driver.find_elements(By.CSS_SELECTOR, "table.inbox tbody tr") if receipt in row.text][0]


def answer_visit(driver, chosen):
    """Answers the visit form: the options chosen, the first option elsewhere."""
    for question, option in chosen.items():
        driver.find_element(By.CSS_SELECTOR, "input[name='q.%s'][value='%s']" % (question, option)).click()
    for question in driver.find_elements(By.CSS_SELECTOR, "fieldset.question"):
        if not question.find_elements(By.CSS_SELECTOR, "input:checked"):
            question.find_element(By.CSS_SELECTOR, "input[type=radio]").click()


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def main():
    os.makedirs(SHOTS, exist_ok=True)
    key = kiosk_wire.receipt_key(SECRET, KIOSK)
    now = time.time()
    # Requests as a kiosk sends them: the red ones arrive last but come first.
    plan = [("green", "王秀英", 9), ("yellow", "李建国", 8), ("red", "张桂兰", 5), ("green", "刘伟", 4),
            ("red", "陈静", 2), ("yellow", "杨明", 1)]
    receipts = {}
    for sequence, (level, name, hours_ago) in enumerate(plan, start=1):
        receipt = kiosk_wire.receipt_number(KIOSK, "261130", sequence)
        # 杨明 said yes to text messages at the kiosk.
        body = kiosk_wire.submission(KIOSK, receipt, level, name, created=now - hours_ago * 3600, texts=name == "杨明")
        receipts[name] = (receipt, kiosk_wire.send(INTAKE, SECRET, body))

    driver = browser()
    try:
        # A wrong password is refused; repeated failures lock the account out.
        sign_in(driver, "sun.adviser", "not the right password")
        check("用户名或密码不正确" in text(driver), "a wrong password is refused with a message")
        shot(driver, "01-sign-in-refused")
        for _ in range(4):
            sign_in(driver, "sun.adviser", "not the right password")
        check("用户名或密码不正确" in text(driver) and "锁定" not in text(driver),
              "the fifth wrong password gets the same words: a guesser learns nothing of the account")
        sign_in(driver, "sun.adviser")
        check("账户已锁定" in text(driver),
              "the right password from where the wrong ones came is told the account is locked, and until when")
        shot(driver, "02-locked-out")

        # The inbox: red first, oldest first within a level.
        sign_in(driver, "li.adviser")
        check(driver.current_url.endswith("/inbox"), "an adviser lands on the inbox")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.inbox tbody tr")
        order = [row.find_element(By.CSS_SELECTOR, "a.receipt").text for row in rows]
        expected = [receipts[name][0] for name in ["张桂兰", "陈静", "李建国", "杨明", "王秀英", "刘伟"]]
        check(order == expected, "the inbox shows red first, then yellow, then green, each oldest first")
        check("11010519491231002X" not in text(driver) and "腿脚不便独居" not in text(driver),
              "the inbox shows no ID number and no story")
        shot(driver, "03-inbox")

        # A scanner types the token and Enter into the focused ticket field.
        receipt, reference = receipts["陈静"]
        token = kiosk_wire.receipt_token(key, receipt)
        focused = driver.switch_to.active_element
        check(focused.get_attribute("name") == "ticket", "the ticket field has the focus")
        type_and_enter(driver, focused, token)
        check(driver.current_url.endswith("/cases/" + reference), "a scanned token opens its case")
        check("110105********002X" in text(driver), "the ID number is masked")
        submit(driver, xpath="//button[contains(., '显示完整号码')]")
        check("11010519491231002X" in text(driver), "show full reveals the ID number")
        shot(driver, "04-case", full=True)

        # Accept → assign → contact → refer to two partners, print the slip.
        submit(driver, "do-accept")
        submit(driver, "do-assign")
        submit(driver, "do-reached")
        refer(driver, "charity-foundation", "material", "三口之家，本周断粮")
        refer(driver, "womens-federation", "psychological", "")
        food, talk = reference + "-1", reference + "-2"
        check(food in text(driver) and talk in text(driver), "the case lists both referrals")
        before = spooled()
        submit(driver, "print-" + food)
        check("转介单已发送到打印机" in text(driver), "the slip went to the centre's printer")
        slip = wait_for_new_pdf(before)
        token = decode_qr(slip)
        check(token.startswith("R1." + food + "."), "the printed slip's QR code is the signed referral token")
        slip_text = pdf_text(slip)
        check("市慈善基金会" in slip_text and "延安中路" in slip_text and "陈静" not in slip_text,
              "the slip names the partner and its address, and nothing of the resident")
        shot(driver, "05-case-referred", full=True)

        # The foundation's staff scan the slip: their referral, and only what they need.
        sign_in(driver, "cf.staff")
        check(driver.current_url.endswith("/partner"), "a partner's staff land on their referrals")
        check(food in text(driver) and talk not in text(driver), "the partner's inbox holds its own referral only")
        shot(driver, "06-partner-inbox")
        type_and_enter(driver, driver.switch_to.active_element, token)
        check(driver.current_url.endswith("/partner/referrals/" + food), "the scanned slip opens its referral")
        page = text(driver)
        check("陈静" in page and "三口之家，本周断粮" in page, "the partner sees whom to help and the adviser's note")
        check("11010519491231002X" not in page and "腿脚不便独居" not in page and "110105" not in page,
              "and never the ID number or the resident's story")
        shot(driver, "07-partner-referral", full=True)
        driver.get(CONSOLE + "/partner/referrals/" + talk)
        check("找不到" in text(driver), "another partner's referral is not found")
        driver.get(CONSOLE + "/cases/" + reference)
        check("无权" in text(driver), "a partner cannot open the case")

        # The federation declines: the referral is back with the adviser, with the reason.
        sign_in(driver, "fu.staff")
        driver.get(CONSOLE + "/partner/referrals/" + talk)
        Select(driver.find_element(By.ID, "decline-reason")).select_by_value("no_capacity")
        driver.find_element(By.ID, "decline-note").send_keys("心理咨询师本月已排满")
        submit(driver, "do-decline")
        check("已拒绝" in text(driver), "the federation declined")
        sign_in(driver, "li.adviser")
        returned = driver.find_element(By.CSS_SELECTOR, "section.returned").text
        check(talk in returned and "暂无服务能力" in returned, "the declined referral is back at the top of the inbox")
        shot(driver, "08-inbox-returned")

        # The foundation accepts and completes with what it delivered; the case closes "referral confirmed".
        sign_in(driver, "cf.staff")
        driver.get(CONSOLE + "/partner/referrals/" + food)
        submit(driver, "do-accept")
        driver.find_element(By.ID, "delivered-what").send_keys("食品包两份")
        driver.find_element(By.ID, "delivered-amount").send_keys("300")
        submit(driver, "do-complete")
        check("已完成" in text(driver), "the foundation recorded what it delivered")
        sign_in(driver, "li.adviser")
        driver.get(CONSOLE + "/cases/" + reference)
        Select(driver.find_element(By.ID, "outcome")).select_by_value("referred_confirmed")
        driver.find_element(By.ID, "note").send_keys("市慈善基金会已送达食品包")
        submit(driver, "do-close")
        timeline = driver.find_element(By.CSS_SELECTOR, "table.timeline").text
        for word in ["受理", "分配", "联系", "转介", "开始服务", "结案", "市慈善基金会", "转介已确认"]:
            check(word in timeline, "the timeline shows " + word)
        check("已结案" in text(driver) and "食品包两份 ¥300.00" in text(driver), "the case is closed with what was delivered")
        shot(driver, "09-case-closed", full=True)

        # A form posted without its CSRF token is refused.
        receipt, other = receipts["张桂兰"]
        driver.get(CONSOLE + "/cases/" + other)
        driver.execute_script("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())")
        submit(driver, "do-accept")
        check("表单已过期" in text(driver), "a form without its CSRF token is refused")
        driver.get(CONSOLE + "/cases/" + other)
        check("新收到" in text(driver), "and the case did not move")

        # A home visit on that case: the level worked out before anything is stored, then recorded.
        driver.get(CONSOLE + "/cases/" + other)
        answer_visit(driver, {"income": "none", "expenses": "crushing", "housing": "crowded"})
        submit(driver, "do-preview")
        check("加权总分 25" in text(driver), "the visit form works out the level before it is recorded")
        driver.find_element(By.ID, "visit-met").send_keys("居民本人")
        submit(driver, "do-visit")
        check("家庭访视" in driver.find_element(By.CSS_SELECTOR, "table.timeline").text, "the visit is on the timeline")
        shot(driver, "10a-home-visit", full=True)

        # The yellow case of 杨明: a visit turns it red; the supervisor approves from the inbox; it moves up
        # among the red cases with the red deadline, counted from the approval.
        receipt_ym, family = receipts["杨明"]
        sign_in(driver, "li.adviser")
        before_deadline = inbox_row(driver, receipt_ym).find_elements(By.TAG_NAME, "td")[6].text
        driver.get(CONSOLE + "/cases/" + family)
        answer_visit(driver, {"income": "none", "expenses": "crushing", "housing": "crowded"})
        live = driver.find_element(By.ID, "visit-live")
        check(live.is_displayed() and "加权总分 25" in live.text and "红色" in live.text,
              "with JavaScript, the level shows as the answers are chosen")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", live)
        shot(driver, "10a-visit-live")
        submit(driver, "do-preview")
        check("需主管审批" in text(driver), "the preview says the new level needs a supervisor")
        driver.find_element(By.ID, "visit-met").send_keys("居民和儿子")
        submit(driver, "do-visit")
        check("待主管审批" in text(driver), "the visit waits for the supervisor")
        sign_in(driver, "zhao.super")
        approvals = driver.find_element(By.CSS_SELECTOR, "section.approvals")
        check(family in approvals.text, "the supervisor's inbox lists the visit waiting for approval")
        shot(driver, "10b-approvals")
        approvals.find_element(By.PARTIAL_LINK_TEXT, family).click()
        submit(driver, "do-approve")
        check("访视评级已批准" in text(driver) and "红色" in driver.find_element(By.CSS_SELECTOR, ".case-head").text,
              "the case is red once approved")
        driver.get(CONSOLE + "/inbox")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.inbox tbody tr")
        levels = [row.get_attribute("class").split()[0] for row in rows]
        mine = [i for i, row in enumerate(rows) if receipt_ym in row.text][0]
        check(levels[mine] == "level-red" and "level-yellow" not in levels[:mine],
              "the approved case is among the red ones, above every yellow")
        check("家庭访视评定" in rows[mine].text and "评估总分" in rows[mine].text,
              "its row says the level is a visit's, the kiosk's triage beside it")
        after_deadline = rows[mine].find_elements(By.TAG_NAME, "td")[6].text
        check(after_deadline[:16] < before_deadline[:16], "with the red deadline, sooner than the yellow one")

        # Its plan: three items, one of each kind; one goes past its day and is followed up in the inbox.
        sign_in(driver, "li.adviser")
        driver.get(CONSOLE + "/cases/" + family)
        for kind, what in [("material", "每月食品包"), ("service", "陪同办理就业登记"), ("psychological", "每周电话关怀")]:
            Select(driver.find_element(By.ID, "plan-kind")).select_by_value(kind)
            driver.find_element(By.ID, "plan-what").send_keys(what)
            submit(driver, "do-plan")
        items = driver.find_elements(By.CSS_SELECTOR, "li.plan-item")
        check(len(items) == 3 and "心理支持" in items[2].text, "the plan has its three items")
        shot(driver, "10c-plan", full=True)
        # The resident said yes to texts: the case lists its messages, and the adviser can text them.
        driver.find_element(By.ID, "sms-text").send_keys("请明天上午带身份证到服务中心。")
        submit(driver, "do-sms")
        messages = driver.find_element(By.CSS_SELECTOR, "section.messages").text
        check("已收到" in messages and "顾问短信" in messages, "the case lists its text messages")
        driver.execute_script("document.getElementById('messages').scrollIntoView()")
        shot(driver, "10f-messages")
        # Each is due in a week (the form's default). Eight days pass for the service item: its due day moves
        # back in the centre's database, as no clock of the running centre can be turned.
        with sqlite3.connect(os.environ["CENTRE_DATABASE"], timeout=10) as db:
            db.execute("UPDATE plan_items SET due_on = due_on - 8 * 86400000 WHERE kind = 'service'")
        driver.get(CONSOLE + "/inbox")
        followups = driver.find_element(By.CSS_SELECTOR, "section.followups").text
        check(family in followups and "计划项逾期：服务" in followups, "the overdue item is in the inbox's follow-ups")
        shot(driver, "10d-followups")
        driver.get(CONSOLE + "/cases/" + family)
        check("⚠ 已逾期" in driver.find_elements(By.CSS_SELECTOR, "li.plan-item")[1].text, "and marked on the case page")
        for _ in range(3):
            submit(driver, xpath="(//button[starts-with(@id, 'plan-done-')])[1]")
        check(len(driver.find_elements(By.CSS_SELECTOR, "li.plan-item.state-done")) == 3, "all three are done")

        # A review visit finds the family better (green); approved, the case closes and the report counts it.
        answer_visit(driver, {})
        driver.find_element(By.ID, "visit-met").send_keys("居民本人")
        submit(driver, "do-visit")
        sign_in(driver, "zhao.super")
        driver.get(CONSOLE + "/cases/" + family)
        submit(driver, "do-approve")
        sign_in(driver, "li.adviser")
        driver.get(CONSOLE + "/cases/" + family)
        submit(driver, "do-accept")
        submit(driver, "do-reached")
        Select(driver.find_element(By.ID, "outcome")).select_by_value("helped")
        driver.find_element(By.ID, "note").send_keys("已就业，生活恢复")
        submit(driver, "do-close")
        sign_in(driver, "zhao.super")
        driver.get(CONSOLE + "/reports")
        outcome = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.report tr") if "评级下降" in row.text]
        check(len(outcome) == 1 and "评级下降 1，上升 0" in outcome[0], "the report counts the family that moved down a level")
        shot(driver, "10e-report-outcome", full=True)

        # A forged token and a mistyped number are refused with a clear message.
        forged = kiosk_wire.receipt_token(b"\x09" * 32, receipt)
        box = driver.find_element(By.NAME, "ticket")
        type_and_enter(driver, box, forged)
        check("伪造" in text(driver) and "/cases/" not in driver.current_url, "a forged token is refused")
        shot(driver, "10-forged-token")
        mistyped = receipt[:-1] + ("A" if receipt[-1] != "A" else "B")
        type_and_enter(driver, driver.find_element(By.NAME, "ticket"), mistyped)
        check("校验字符不符" in text(driver), "a mistyped receipt number is caught by its check character")

        # An adviser cannot open the auditor's page.
        driver.get(CONSOLE + "/audit")
        check("无权" in text(driver), "an adviser cannot open the access log")

        # The supervisor's report, in English this time.
        sign_in(driver, "zhao.super")
        driver.find_element(By.LINK_TEXT, "English").click()
        driver.get(CONSOLE + "/reports")
        check("Monthly report" in text(driver) and driver.find_elements(By.CSS_SELECTOR, "svg.chart"),
              "the supervisor's report has its chart, in English")
        check("Outcome of home visits" in text(driver) and "moved down a level 1, up 0" in text(driver),
              "and the outcome of home visits")
        shot(driver, "11-report-en", full=True)
        driver.find_element(By.LINK_TEXT, "中文").click()

        # The auditor sees every look and action on that case.
        sign_in(driver, "qian.audit")
        driver.get(CONSOLE + "/audit")
        rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.audit tbody tr") if reference in row.text]
        for action in ["view_case", "reveal_id", "accept", "assign", "contact", "refer", "referral_slip", "view_referral",
                       "referral_decline", "referral_complete", "close"]:
            check(any(" " + action + " " in " " + row + " " for row in rows), "the access log has " + action)
        check("陈静" not in text(driver) and "11010519491231002X" not in text(driver),
              "the access log holds no personal data")
        shot(driver, "12-audit")
        driver.quit()

        # The inbox on a tablet.
        driver = browser(820, 1180)
        sign_in(driver, "li.adviser")
        shot(driver, "13-inbox-tablet")
    finally:
        driver.quit()
    print("browser scenarios passed")


def refer(driver, partner, kind, note):
    Select(driver.find_element(By.ID, "partner")).select_by_value(partner)
    Select(driver.find_element(By.ID, "refer-kind")).select_by_value(kind)
    driver.find_element(By.ID, "refer-note").send_keys(note)
    submit(driver, "do-refer")


def spooled():
    return set(name for name in os.listdir(SPOOL) if name.endswith(".pdf"))


def wait_for_new_pdf(before, timeout=60):
    """The printer lab's IPP printer writes what it printed into its spool."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        new = sorted(spooled() - before)
        if new:
            return os.path.join(SPOOL, new[0])
        time.sleep(0.2)
    check(False, "a printed slip reached the printer within %d s" % timeout)


def decode_qr(pdf):
    image = pdf[:-4] + "-scan"
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", pdf, image], check=True)
    return subprocess.run(["zbarimg", "--nodbus", "--quiet", "--raw", image + ".png"], check=True,
                          capture_output=True, text=True).stdout.strip()


def pdf_text(pdf):
    return subprocess.run(["pdftotext", pdf, "-"], check=True, capture_output=True, text=True).stdout


def scan(token, receipt, name):
    """An adviser scans a receipt printed at a real kiosk: its case opens."""
    os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    try:
        sign_in(driver, "li.adviser")
        type_and_enter(driver, driver.switch_to.active_element, token)
        check("/cases/" in driver.current_url, "the scanned receipt opens a case")
        check(receipt in text(driver) and name in text(driver), "the case is the resident's request")
        shot(driver, "14-scanned-from-kiosk", full=True)
    finally:
        driver.quit()
    print("scan passed")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "scan":
        scan(*sys.argv[2:])
    else:
        main()
