import KioskCommands

Kioskd.runAsDaemon()
