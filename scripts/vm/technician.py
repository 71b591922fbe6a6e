"""scripts/vm-test's run: a technician sets up a kiosk and its centre on a freshly
booted Debian 12, following the README, and checks what the README promises.

  python3 scripts/vm/technician.py IMAGE_FOLDER SHARE_FOLDER WORK_FOLDER README

SHARE_FOLDER holds kiosk_*.deb and kiosk-center_*.deb (mounted in the VM at
/mnt/share). Prints one line per check and, last, `vm ok: …`; exits 1 at the
first check that fails, with what it saw.
"""

import os
import sys
import time

import kiosk_checks as checks
import resident
from machine import Machine, MachineError
from readme import as_script, technician_steps

started = time.monotonic()
results = []


def check(name, action):
    began = time.monotonic()
    try:
        detail = action()
    except MachineError as error:
        print(f"vm: {name}: FAILED after {time.monotonic() - began:.0f} s: {error}", flush=True)
        raise
    results.append(name)
    print(f"vm: {name}: ok ({time.monotonic() - began:.0f} s) {detail or ''}".rstrip(), flush=True)
    return detail


def readme_step(machine, steps, name):
    def action():
        if name not in steps:
            raise MachineError(f"README.md has no block marked <!-- vm-test: {name} -->")
        output = machine.must(f"cd /mnt/share\n{as_script(steps[name])}", patience=900)
        # apt's and dpkg's complaints are errors here: a technician sees them.
        noisy = [line for line in output.splitlines() if line.startswith(("W:", "E:", "dpkg: warning"))]
        if noisy:
            raise MachineError("\n".join(noisy))
        return f"{len(steps[name].strip().splitlines())} README lines"
    check(f"README {name}", action)


def main():
    image, share, work, readme = sys.argv[1:5]
    steps = technician_steps(readme)
    kiosk = Machine("kiosk", image, work, share)
    try:
        check("boot", lambda: (kiosk.start(), f"{kiosk.accelerator}, shell on ttyS1")[1])
        for step in ("install", "centre", "printer", "kiosk", "start"):
            readme_step(kiosk, steps, step)
        check("status after set-up", lambda: checks.status_ok(kiosk))
        check("reboot", lambda: (kiosk.reboot(), "a new boot id")[1])
        units = checks.KIOSK_UNITS + checks.CENTRE_UNITS
        check("units after boot", lambda: checks.units_active(kiosk, units))
        check("kioskctl status", lambda: checks.status_ok(kiosk))
        check("welcome on screen", lambda: resident.welcome(kiosk))
        check("a request typed on the keyboard", lambda: resident.whole_request(kiosk))
        check("keyboard lockdown", lambda: resident.lockdown(kiosk))
        for unit in checks.ROLES:
            check(f"SIGKILL {unit}", lambda unit=unit: checks.restarted_after_kill(kiosk, unit))
        check("welcome after the kills", lambda: resident.welcome(kiosk))
        check("watchdog", lambda: checks.watchdog_restarts_a_hung_front(kiosk))
        check("power cut after 'received'", lambda: resident.power_cut_after_receipt(kiosk))
        check("units after the power cut", lambda: checks.units_active(kiosk, units))
        check("timers", lambda: checks.timers_ran(kiosk))
        check("exposure", lambda: checks.exposure(kiosk, [u for u in units if u.endswith(".service")]))
    except MachineError:
        if kiosk.process:
            kiosk.screenshot(os.path.join(work, "kiosk", "failed-screen.png"))
        print(f"vm: the machine's files are in {work}/kiosk (console.log: the kernel's console)")
        sys.exit(1)
    finally:
        kiosk.stop()
    print(f"vm ok: {len(results)} checks in {time.monotonic() - started:.0f} s ({kiosk.accelerator})")


if __name__ == "__main__":
    main()
