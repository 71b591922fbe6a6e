import KioskCommands

Kioskctl.runAsTool()
