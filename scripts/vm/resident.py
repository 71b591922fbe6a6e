"""A resident at the kiosk's USB keyboard, read back from the kiosk's real screen.

Each step waits until tesseract reads the next screen's words on a QEMU
screenshot before it presses the next key, as a person reads before typing.
The words waited for are never the highlighted option's: tesseract does not
read dark text on the light bar.
The name is typed in Latin letters: a USB keyboard on the kiosk has no
Chinese input method.
"""

from kiosk_checks import centre_cases
from machine import MachineError, wait_until

QUESTIONS = 7  # kiosk-config/assessment.yaml's questions, each answered "1"


def welcome(kiosk):
    text = kiosk.wait_for_screen("社区救助自助申请", patience=300)
    return f"tesseract read {len(text)} characters, among them 社区救助自助申请"


def kiosk_sql(kiosk, query):
    return kiosk.must(f"sqlite3 -readonly /var/lib/kiosk/kiosk.sqlite \"{query}\"")


def completed_print_jobs(kiosk):
    return len(kiosk.must("lpstat -W completed -o kiosk-receipt || true").splitlines())


def type_request(kiosk):
    """From the welcome to the receipt screen, as TerminalEndToEndTests does in tmux."""
    kiosk.wait_for_screen("社区救助自助申请", patience=300)
    kiosk.keys("Enter")
    kiosk.wait_for_screen("需要帮助的是谁")
    kiosk.keys("3")
    kiosk.wait_for_screen("居家照护")  # 1 (助餐服务, meals) is the highlighted one
    kiosk.keys("1")
    for number in range(1, QUESTIONS + 1):
        kiosk.wait_for_screen(f"{number}/{QUESTIONS}")
        kiosk.keys("1")
    kiosk.wait_for_screen("同意并继续")
    kiosk.keys("1")
    kiosk.wait_for_screen("请问您怎么称呼")
    kiosk.type("Li Ming")
    kiosk.keys("Enter")
    kiosk.wait_for_screen("我们打哪个电话联系您")
    kiosk.type("13912345678")
    kiosk.keys("Enter")
    kiosk.wait_for_screen(("我们可以发短信", "办理进度吗", "请发短信给我", "不要发短信"))
    kiosk.keys("1")
    kiosk.wait_for_screen("您的身份证号码")
    kiosk.keys("Enter")
    kiosk.wait_for_screen("您住在哪个街道")
    kiosk.keys("1")
    kiosk.wait_for_screen("武定居民区")
    kiosk.keys("2")
    kiosk.wait_for_screen("您的详细地址")
    kiosk.keys("Enter")
    kiosk.wait_for_screen("您家里一共几口人")
    kiosk.type("2")
    kiosk.keys("Enter")
    kiosk.wait_for_screen("还有什么想告诉我们的吗")
    kiosk.keys("Enter")
    kiosk.wait_for_screen("请核对您的申请")
    kiosk.keys("1")
    # The receipt screen: tesseract has read its label "回执编号" as "aaTD" beside the highlighted number.
    kiosk.wait_for_screen(("回执编号", "查询码"))
    return kiosk_sql(kiosk, "SELECT receipt_number FROM submissions ORDER BY created_at DESC LIMIT 1")


def whole_request(kiosk):
    cases, printed = centre_cases(kiosk), completed_print_jobs(kiosk)
    receipt = type_request(kiosk)
    wait_until("the receipt to print", 180, lambda: completed_print_jobs(kiosk) > printed, every=1)
    printed_at = float(kiosk.must("date +%s.%N"))
    wait_until("the request to reach the centre", 180, lambda: centre_cases(kiosk) == cases + 1, every=1)
    seconds = float(kiosk.must("date +%s.%N")) - printed_at
    state = kiosk_sql(kiosk, f"SELECT state FROM submissions WHERE receipt_number = '{receipt}'")
    if state != "forwarded":
        raise MachineError(f"{receipt} is {state} on the kiosk")
    return f"{receipt}: receipt printed (CUPS job completed); the case at the centre {seconds:.1f} s after that"


def lockdown(kiosk):
    """Each chord, then a key the front answers: the front's answer shows the chord came and went."""
    boot = kiosk.boot_id()
    kiosk.wait_for_screen("社区救助自助申请")
    kiosk.keys("ctrl-alt-f2", "Enter")
    kiosk.wait_for_screen("需要帮助的是谁")  # still the front's VT
    kiosk.keys("ctrl-alt-delete", "3")
    kiosk.wait_for_screen("居家照护")
    kiosk.keys("alt-sysrq-b", "1")  # Alt+SysRq+B reboots at once where SysRq is on
    kiosk.wait_for_screen(f"1/{QUESTIONS}")
    if kiosk.boot_id() != boot:
        raise MachineError("the machine rebooted")
    target = kiosk.run("systemctl is-active ctrl-alt-del.target")[1]
    if target == "active":
        raise MachineError("ctrl-alt-del.target was started")
    return f"Ctrl+Alt+F2, Ctrl+Alt+Del and Alt+SysRq+B reached nothing (same boot, front answered after each)"


def power_cut_after_receipt(kiosk):
    cases = centre_cases(kiosk)
    receipt = type_request(kiosk)
    kiosk.power_cut()
    kiosk.start()
    wait_until("the request to reach the centre after the power cut", 300,
               lambda: centre_cases(kiosk) >= cases + 1, every=1)
    kiosk.wait_for_screen("社区救助自助申请", patience=300)
    state = kiosk_sql(kiosk, f"SELECT state FROM submissions WHERE receipt_number = '{receipt}'")
    if centre_cases(kiosk) != cases + 1 or state != "forwarded":
        raise MachineError(f"after the cut: {centre_cases(kiosk) - cases} new cases at the centre, {receipt} {state}")
    return f"{receipt}: there after boot, forwarded, exactly one new case at the centre"
