"""What a technician checks on a kiosk after setting it up, each from the real system.

Each check raises MachineError with what it saw, or returns a short detail for
its line of output.
"""

import re

from machine import MachineError, wait_until

KIOSK_UNITS = ["kiosk-migrate.service", "kiosk-display.service", "kiosk-forwarder.service",
               "kiosk-purge.timer", "kiosk-metrics.timer"]
CENTRE_UNITS = ["kiosk-center.service"]
ROLES = {"kiosk-display.service": "the screen", "kiosk-forwarder.service": "the forwarder",
         "kiosk-center.service": "the centre"}


def units_active(machine, units):
    # `--wait` blocks until start-up has finished, whatever its speed.
    state = machine.run("systemctl is-system-running --wait", patience=900)[1].strip() or "unknown"
    failed = machine.must("systemctl --failed --plain --no-legend")
    if failed.strip():
        raise MachineError(f"systemctl --failed lists: {failed}")
    inactive = [unit for unit in units if machine.run(f"systemctl is-active {unit}")[1] != "active"]
    if inactive:
        raise MachineError(f"not active: {', '.join(inactive)}; system {state}")
    return f"system {state}, {len(units)} units active, none failed"


def status_ok(machine, patience=180):
    # The first heartbeat and the printer's first look come a little after start-up.
    def probe():
        status, output = machine.run("kioskctl status")
        probe.output = output
        return status == 0
    try:
        wait_until("kioskctl status to exit 0", patience, probe, every=2)
    except MachineError as error:
        raise MachineError(f"{error}:\n{probe.output}") from None
    return probe.output.splitlines()[0]


def main_pid(machine, unit):
    return machine.must(f"systemctl show -P MainPID {unit}")


def restarted_after_kill(machine, unit, signal="KILL"):
    before = main_pid(machine, unit)
    restarts = int(machine.must(f"systemctl show -P NRestarts {unit}"))
    machine.must(f"systemctl kill -s {signal} {unit}")
    wait_until(f"{unit} restarted after SIG{signal}", 180, lambda: (
        machine.run(f"systemctl is-active {unit}")[1] == "active"
        and main_pid(machine, unit) not in ("0", before)), every=1)
    return f"MainPID {before} → {main_pid(machine, unit)}, NRestarts {restarts} → " \
           f"{machine.must(f'systemctl show -P NRestarts {unit}')}"


def front_pid(machine):
    return machine.run("pgrep -u kiosk -f '^/usr/bin/kioskd front'")[1].split("\n")[0]


def watchdog_restarts_a_hung_front(machine):
    before = front_pid(machine)
    if not before:
        raise MachineError("no front is running")
    machine.must(f"kill -STOP {before}")
    # WatchdogSec=30 and RestartSec=2: a minute and a half under emulation is patience, not the expectation.
    wait_until("the watchdog to restart the stopped front", 300,
               lambda: front_pid(machine) not in ("", before), every=2)
    said = machine.must("journalctl -b -u kiosk-display --no-pager -o cat | grep -c 'Watchdog timeout' || true")
    if said == "0":
        raise MachineError("the front was replaced without a watchdog timeout in the journal")
    return f"front {before} stopped → 'Watchdog timeout' → front {front_pid(machine)}"


def exposure(machine, units):
    levels = {}
    for unit in units:
        output = machine.must(f"systemd-analyze security {unit} --no-pager 2>&1 | tail -n 1")
        found = re.search(r"exposure level for \S+: (\d+\.\d+)", output)
        if not found:
            raise MachineError(f"systemd-analyze security {unit}: {output}")
        levels[unit] = float(found.group(1))
    high = {unit: level for unit, level in levels.items() if level > 2.0}
    if high:
        raise MachineError(f"exposure above 2.0: {high}")
    return ", ".join(f"{unit.removesuffix('.service')} {level}" for unit, level in levels.items())


def timers_ran(machine):
    wait_until("kiosk-metrics.timer to write kiosk.prom", 180, lambda: machine.run(
        "grep -q '^kiosk_health' /var/lib/prometheus/node-exporter/kiosk.prom")[0] == 0, every=2)
    series = machine.must("grep -c '^kiosk_' /var/lib/prometheus/node-exporter/kiosk.prom")
    served = machine.must("curl -s http://127.0.0.1:9100/metrics | grep -c '^kiosk_' || true")
    machine.must("systemctl start kiosk-purge.service")
    purge = machine.must("systemctl show -P Result kiosk-purge.service")
    if purge != "success":
        raise MachineError(f"kiosk-purge.service: {purge}")
    scheduled = machine.must("systemctl show -P NextElapseUSecRealtime kiosk-purge.timer")
    return f"kiosk.prom has {series} kiosk_ series, node_exporter serves {served}; " \
           f"purge ran ({purge}), next {scheduled}"


def centre_cases(machine):
    return int(machine.must("sqlite3 /var/lib/kiosk-center/center.sqlite 'SELECT count(*) FROM cases'"))
