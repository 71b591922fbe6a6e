/// The exit statuses `--help` and the manual pages state; monitoring and
/// scripts rely on them.
enum ExitStatus {
    static let kioskctl = """
        EXIT STATUS: 0 success (status: the kiosk is ok); 1 the command failed, with the reason on standard \
        error (status: degraded; printer status: cannot print); 2 status and metrics: the kiosk is down or \
        cannot be read; 64 a usage error (an unknown option, a missing or invalid argument).
        """

    static let kioskd = """
        EXIT STATUS: 0 a clean stop (SIGTERM) or, for migrate, a ready database; 1 refused to start or \
        failed, the reason on standard error (the journal under systemd); 64 a usage error.
        """
}
