import KioskCommands

await Kioskd.runAsDaemon()
