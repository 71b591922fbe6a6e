"""One QEMU virtual machine, driven as a technician drives a real one.

The machine boots the cached Debian 12 image (scripts/vm/image) from a
copy-on-write overlay of its own, with a virtual GPU without 3D acceleration
(virtio-vga at 1920x1080), a USB keyboard, the kernel's console on the first
serial port (kept in a log) and a root shell on the second (the technician's
console). The QEMU monitor (QMP) takes screenshots, types on the keyboard and
cuts the power.

Every wait here waits for a condition (a marker in the shell's output, text
on the screen, a socket), each with a patience long enough for a machine
emulated without KVM; none waits for a time.
"""

import base64
import json
import os
import re
import secrets
import select
import shutil
import socket
import subprocess
import tempfile
import time

# QEMU's names for the keys a resident and a technician press.
QCODES = {" ": "spc", "\n": "ret", "-": "minus", ".": "dot", "/": "slash", ",": "comma"}
NAMED_KEYS = {"Enter": "ret", "Escape": "esc", "BSpace": "backspace", "Tab": "tab", "F2": "f2"}


class MachineError(Exception):
    pass


def wait_until(what, patience, probe, every=0.5):
    """Calls probe until it returns something true, or raises after patience seconds."""
    deadline = time.monotonic() + patience
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise MachineError(f"not within {patience} s: {what}")
        time.sleep(every)  # a poll interval, not a wait for the condition


class Machine:
    def __init__(self, name, image, work, share, network=None, memory="2G"):
        self.name, self.image, self.share, self.network, self.memory = name, image, share, network, memory
        self.folder = os.path.join(work, name)
        os.makedirs(self.folder, exist_ok=True)
        self.disk = os.path.join(self.folder, "disk.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                        "-b", os.path.join(image, "rootfs.raw"), self.disk], check=True)
        self.process = None
        self.accelerator = None

    # ---- power

    def start(self):
        """Powers the machine on and waits for the technician's shell: with KVM where the
        host offers it, else emulated (TCG: several times slower, still correct)."""
        if self.accelerator != "tcg" and os.access("/dev/kvm", os.R_OK | os.W_OK):
            try:
                return self._start("kvm", "host")
            except MachineError as error:
                print(f"vm: {self.name}: KVM did not start ({str(error).splitlines()[-1][:200]}); emulating",
                      flush=True)
        self._start("tcg", "max")

    def _start(self, accelerator, cpu):
        for leftover in ("qmp.sock", "shell.sock"):
            path = os.path.join(self.folder, leftover)
            if os.path.exists(path):
                os.unlink(path)
        command = [
            "qemu-system-x86_64", "-name", self.name, "-machine", f"q35,accel={accelerator}", "-cpu", cpu,
            "-smp", "2", "-m", self.memory, "-nodefaults", "-display", "none",
            "-kernel", os.path.join(self.image, "vmlinuz"), "-initrd", os.path.join(self.image, "initrd.img"),
            "-append", "root=/dev/vda rw console=ttyS0 loglevel=4 systemd.show_status=false",
            "-drive", f"file={self.disk},if=virtio,format=qcow2,cache=writeback",
            "-device", "virtio-vga,xres=1920,yres=1080",
            "-device", "qemu-xhci", "-device", "usb-kbd",
            "-virtfs", f"local,path={self.share},mount_tag=share,security_model=none,id=share",
            "-chardev", f"file,id=console,path={os.path.join(self.folder, 'console.log')},append=on",
            "-serial", "chardev:console",
            "-chardev", f"socket,id=shell,path={os.path.join(self.folder, 'shell.sock')},server=on,wait=off",
            "-serial", "chardev:shell",
            "-qmp", f"unix:{os.path.join(self.folder, 'qmp.sock')},server=on,wait=off",
        ]
        command += self.network or ["-nic", "none"]
        log = open(os.path.join(self.folder, "qemu.log"), "ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self.qmp_socket = self._connect("qmp.sock")
        self.qmp_buffer = b""
        self._qmp_read()  # the greeting
        self.qmp("qmp_capabilities")
        self.accelerator = "kvm" if self.qmp("query-kvm").get("enabled") else "tcg"
        self.shell_socket = self._connect("shell.sock")
        self.shell_buffer = b""
        self._log_in()

    def power_cut(self):
        """Pulls the plug: QEMU ends at once, nothing in the guest's memory reaches the disk."""
        self.process.kill()
        self.process.wait()
        self.process = None

    def reboot(self):
        """`systemctl reboot` at the shell, then waits for the shell of the next boot."""
        boot = self.boot_id()
        self._send(b"systemctl reboot\n")
        self.shell_buffer = b""
        self._log_in()
        if self.boot_id() == boot:
            raise MachineError("the machine did not reboot")

    def stop(self):
        if self.process:
            try:
                self.qmp("quit")
            except (MachineError, OSError):
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def _connect(self, name):
        path = os.path.join(self.folder, name)

        def attempt():
            self._died()
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(path)
                return connection
            except (FileNotFoundError, ConnectionRefusedError):  # QEMU has not listened yet
                connection.close()
                return None
        return wait_until(f"{self.name}: QEMU's {name}", 60, attempt, every=0.1)

    def _died(self):
        if self.process.poll() is not None:
            with open(os.path.join(self.folder, "qemu.log"), errors="replace") as log:
                raise MachineError(f"{self.name}: QEMU ended: {log.read()[-2000:]}")
        return False

    # ---- the monitor

    def qmp(self, command, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.qmp_socket.sendall(json.dumps(message).encode() + b"\n")
        while True:
            answer = self._qmp_read()
            if "return" in answer:
                return answer["return"]
            if "error" in answer:
                raise MachineError(f"{self.name}: QMP {command}: {answer['error']['desc']}")

    def _qmp_read(self):
        while b"\n" not in self.qmp_buffer:
            chunk = self.qmp_socket.recv(65536)
            if not chunk:
                raise MachineError(f"{self.name}: the QEMU monitor closed")
            self.qmp_buffer += chunk
        line, self.qmp_buffer = self.qmp_buffer.split(b"\n", 1)
        return json.loads(line)

    def screenshot(self, path):
        """The virtual GPU's picture as a PNG."""
        self.qmp("screendump", filename=path, format="png")
        return path

    def screen_text(self, language="chi_sim"):
        """What tesseract reads on the screen, without spaces (it puts them between Chinese characters)."""
        with tempfile.TemporaryDirectory() as folder:
            picture = self.screenshot(os.path.join(folder, "screen.png"))
            result = subprocess.run(["tesseract", picture, "-", "-l", language], capture_output=True, text=True)
        return re.sub(r"\s+", "", result.stdout)

    def wait_for_screen(self, text, patience=120, language="chi_sim"):
        """Waits until the screen reads `text` (spaces ignored), or any of several texts given as a
        tuple (words of the same screen: OCR misreads one now and then), and returns all it read."""
        wanted = [re.sub(r"\s+", "", one) for one in (text if isinstance(text, tuple) else (text,))]
        seen = {"text": ""}

        def probe():
            seen["text"] = self.screen_text(language)
            return seen["text"] if any(one in seen["text"] for one in wanted) else None
        try:
            return wait_until(f"{self.name}: the screen to show {text!r}", patience, probe, every=1)
        except MachineError as error:
            self.screenshot(os.path.join(self.folder, "last-screen.png"))
            raise MachineError(f"{error}; it read {seen['text'][:300]!r} (last-screen.png)") from None

    def keys(self, *keys):
        """Presses keys on the USB keyboard: names (Enter, Escape, F2…), single characters, or
        chords such as "ctrl-alt-delete" (QEMU's key codes joined by -)."""
        for key in keys:
            if key in NAMED_KEYS:
                codes = [NAMED_KEYS[key]]
            elif len(key) == 1:
                codes = ["shift", key.lower()] if key.isupper() else [QCODES.get(key, key)]
            else:
                codes = key.split("-")
            self.qmp("send-key", keys=[{"type": "qcode", "data": code} for code in codes], **{"hold-time": 60})

    def type(self, text):
        self.keys(*list(text))

    # ---- the technician's shell

    def _log_in(self):
        # The autologin prompt of the second serial port; then a quiet, unechoed shell.
        self._read_until(re.compile(rb"root@[\w-]+:[^\n]*# ?$", re.M), 600, "the root shell on ttyS1")
        self._send(b"stty -echo cols 250; export PS1= PS2= TERM=dumb SYSTEMD_PAGER= SYSTEMD_COLORS=0 PAGER=cat\n")
        self.run("true")

    def run(self, command, patience=300):
        """Runs a shell command as root; returns (exit status, standard output and error)."""
        marker = secrets.token_hex(8)
        encoded = base64.b64encode(command.encode()).decode()
        self._send(b"rm -f /tmp/.vm-command\n")
        for start in range(0, len(encoded), 2000):  # a terminal line holds at most 4,096 characters
            self._send(f"echo {encoded[start:start + 2000]} >> /tmp/.vm-command\n".encode())
        self._send(f'bash -c "$(base64 -d /tmp/.vm-command)" </dev/null 2>&1; echo "@@$?@@{marker}"\n'.encode())
        found = self._read_until(re.compile(rb"@@(\d+)@@" + marker.encode()), patience, f"`{command[:80]}`")
        output = self.shell_buffer[:found.start()].decode(errors="replace")
        self.shell_buffer = self.shell_buffer[found.end():]
        return int(found.group(1)), output.replace("\r", "").strip("\n")

    def must(self, command, patience=300):
        status, output = self.run(command, patience)
        if status != 0:
            raise MachineError(f"{self.name}: `{command}` exited {status}:\n{output[-3000:]}")
        return output

    def boot_id(self):
        return self.must("cat /proc/sys/kernel/random/boot_id")

    def _send(self, data):
        self.shell_socket.sendall(data)

    def _read_until(self, pattern, patience, what):
        deadline = time.monotonic() + patience
        while True:
            found = pattern.search(self.shell_buffer)
            if found:
                return found
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.shell_buffer[-1500:].decode(errors="replace")
                raise MachineError(f"{self.name}: not within {patience} s: {what}; the console said: {tail}")
            ready, _, _ = select.select([self.shell_socket], [], [], min(left, 5))
            if ready:
                chunk = self.shell_socket.recv(65536)
                if not chunk:
                    raise MachineError(f"{self.name}: the serial console closed")
                self.shell_buffer += chunk
            self._died()


def tools_missing():
    return [tool for tool in ("qemu-system-x86_64", "qemu-img", "tesseract") if not shutil.which(tool)]
