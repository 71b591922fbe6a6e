"""The fleet view in a real browser: simulated kiosks send signed heartbeats
over loopback in different states; a technician sees them worst first, in
words, filters by street, opens a kiosk's page, and watches a kiosk that
stopped sending turn silent.

Run by Tests/CenterTests/FleetBrowserTests.swift against a real
`kiosk-center serve`. KIOSK_SECRETS is `CODE=hex,CODE=hex,…`."""
import os
import threading
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import console_browser_test as console
from console_browser_test import browser, check, shot, sign_in, submit, text
import kiosk_wire

INTAKE = os.environ["INTAKE_URL"]
SECRETS = dict(pair.split("=") for pair in os.environ["KIOSK_SECRETS"].split(","))
INTERVAL = 2

# What each kiosk says in every heartbeat; JA0304 falls silent once the page has shown it ok.
STATES = {
    "JA0301": kiosk_wire.kiosk_state(interval=INTERVAL),
    "JA0302": kiosk_wire.kiosk_state(printer="paper-out", reasons=["media-empty-error"], queue=2, oldest=300,
                                     interval=INTERVAL),
    "JA0303": kiosk_wire.kiosk_state(roles_down=["front"], interval=INTERVAL),
    "JA0304": kiosk_wire.kiosk_state(interval=INTERVAL),
    "JA0306": kiosk_wire.kiosk_state(queue=4, oldest=1500, oldest_red=1500, interval=INTERVAL),
}
# A kiosk whose RTC battery died: its clock is two hours slow.
SLOW_CLOCK = "JA0305"


def beat(code):
    status = kiosk_wire.heartbeat(INTAKE, SECRETS[code], code, STATES[code])
    check(status == 204, "%s's heartbeat is taken (%d)" % (code, status))


def keep_beating(stop, quiet):
    while not stop.is_set():
        for code in STATES:
            if code not in quiet:
                kiosk_wire.heartbeat(INTAKE, SECRETS[code], code, STATES[code])
        stop.wait(1)


def rows(driver):
    return [(row.get_attribute("data-kiosk"), row.get_attribute("data-health"), row.text)
            for row in driver.find_elements(By.CSS_SELECTOR, "table.fleet tbody tr")]


def main():
    os.makedirs(console.SHOTS, exist_ok=True)
    for code in STATES:
        beat(code)
    status = kiosk_wire.heartbeat(INTAKE, SECRETS[SLOW_CLOCK], SLOW_CLOCK, kiosk_wire.kiosk_state(), clock_offset=-7200)
    check(status == 401, "a heartbeat from a clock two hours slow is refused (%d)" % status)
    stop, quiet = threading.Event(), set()
    threading.Thread(target=keep_beating, args=(stop, quiet), daemon=True).start()
    driver = browser()
    try:
        # An adviser has no fleet page.
        sign_in(driver, "li.adviser")
        driver.get(console.CONSOLE + "/fleet")
        check("无权" in text(driver), "an adviser cannot open the fleet page")

        sign_in(driver, "wu.tech")
        check(driver.current_url.endswith("/fleet"), "a technician lands on the fleet page")
        seen = dict((code, health) for code, health, _ in rows(driver))
        check(seen.get("JA0304") == "ok", "a kiosk sending its heartbeats is ok")

        # JA0304 stops; three missed intervals later it is silent.
        quiet.add("JA0304")
        # Silent after three missed intervals: the page is read again until it
        # says so (at most twice that long), not after a fixed pause.
        deadline = time.time() + INTERVAL * 6 + 10
        while True:
            driver.refresh()
            listed = rows(driver)
            if dict((code, health) for code, health, _ in listed).get("JA0304") == "silent" or time.time() > deadline:
                break
            time.sleep(0.5)
        order = [code for code, _, _ in listed]
        healths = dict((code, health) for code, health, _ in listed)
        words = dict((code, line) for code, _, line in listed)
        check(healths == {"JA0303": "down", "JA0305": "down", "JA0304": "silent", "JA0302": "degraded",
                          "JA0306": "degraded", "JA0301": "ok"}, "each kiosk's health: %s" % healths)
        ranks = {"down": 0, "silent": 1, "degraded": 2, "ok": 3}
        check([ranks[healths[code]] for code in order] == sorted(ranks[healths[code]] for code in order),
              "worst first: %s" % order)
        check("停止服务" in words["JA0303"] and "前台界面未运行" in words["JA0303"], "a stopped front is down, in words")
        check("时钟慢 2 小时" in words["JA0305"] and "拒收" in words["JA0305"],
              "a kiosk whose clock the centre refuses is down, with its clock's offset")
        check("失联" in words["JA0304"] and "没有心跳" in words["JA0304"], "the kiosk that stopped sending is silent")
        check("部分故障" in words["JA0302"] and "打印机缺纸" in words["JA0302"], "paper out, in words")
        check("红色求助已等待 25 分钟" in words["JA0306"], "a red request waiting 25 minutes, in words")
        check("正常" in words["JA0301"] and "武定路社区中心" in words["JA0301"], "an ok kiosk, with its place")
        shot(driver, "11-fleet", full=True)

        # Filter by street.
        Select(driver.find_element(By.ID, "street")).select_by_value("jingan-temple")
        submit(driver, xpath="//form[@action='/fleet']//button")
        check(sorted(code for code, _, _ in rows(driver)) == ["JA0304", "JA0305", "JA0306"],
              "the street filter shows that street's kiosks only")

        # A kiosk's page: what is wrong, the latest heartbeat, the chart.
        driver.get(console.CONSOLE + "/fleet/JA0302")
        page = text(driver)
        check("打印机缺纸" in page and "paper-out" in page and "media-empty-error" in page,
              "the kiosk's page names the printer's state and reasons")
        check(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect[fill='url(#notready)']"),
              "the kiosk's history chart marks the hour the printer was not ready")
        shot(driver, "12-kiosk-page", full=True)

        # In English, and for a street's technician.
        driver.find_element(By.LINK_TEXT, "English").click()
        driver.get(console.CONSOLE + "/fleet")
        check("Silent" in text(driver) and "Printer out of paper" in text(driver), "the fleet page in English")
        driver.find_element(By.LINK_TEXT, "中文").click()
        sign_in(driver, "he.tech")
        check(sorted(code for code, _, _ in rows(driver)) == ["JA0301", "JA0302", "JA0303"],
              "a street's technician sees that street's kiosks")
        driver.get(console.CONSOLE + "/fleet/JA0305")
        check("找不到" in text(driver), "and not another street's kiosk")

        # A supervisor reads it too.
        sign_in(driver, "zhao.super")
        driver.get(console.CONSOLE + "/fleet")
        check(len(rows(driver)) == 6, "a supervisor reads the fleet page")
    finally:
        stop.set()
        driver.quit()
    print("fleet scenarios passed")


if __name__ == "__main__":
    main()
