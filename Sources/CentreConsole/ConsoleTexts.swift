import KioskDomain

/// Every word the console shows, in Simplified Chinese (the default) and
/// English. Templates read them as `{{t.key}}`; a key missing in one
/// language is caught by a test, so staff never meet a blank.
package enum ConsoleTexts {
    package static func table(_ language: Language) -> [String: String] {
        language == .english ? english : chinese
    }

    /// The same, as templates read them (`{{t.key}}`), made once.
    static func forTemplates(_ language: Language) -> TemplateValues {
        language == .english ? englishForTemplates : chineseForTemplates
    }

    private static let chineseForTemplates = TemplateValues(chinese)
    private static let englishForTemplates = TemplateValues(english)

    package static let chinese = chineseCore.merging(referralChinese) { _, _ in preconditionFailure("a key twice") }
        .merging(visitChinese) { _, _ in preconditionFailure("a key twice") }
        .merging(planChinese) { _, _ in preconditionFailure("a key twice") }
        .merging(messageChinese) { _, _ in preconditionFailure("a key twice") }
    package static let english = englishCore.merging(referralEnglish) { _, _ in preconditionFailure("a key twice") }
        .merging(visitEnglish) { _, _ in preconditionFailure("a key twice") }
        .merging(planEnglish) { _, _ in preconditionFailure("a key twice") }
        .merging(messageEnglish) { _, _ in preconditionFailure("a key twice") }

    private static let chineseCore: [String: String] = [
        "fleet": "设备", "fleet_title": "自助机设备状况", "kiosk_title": "自助机 %@",
        "health": "状态", "health_ok": "正常", "health_degraded": "部分故障", "health_down": "停止服务", "health_silent": "失联",
        "place": "位置", "whats_wrong": "问题", "health_since": "自", "version": "版本",
        "no_kiosks": "没有登记的自助机。", "fleet_hint": "最严重的排在最前；连续 3 次未收到心跳即为“失联”。本页每分钟自动刷新。",
        "latest_heartbeat": "最近一次心跳", "kiosk_reports": "自助机自报的问题（kioskctl status）", "history": "最近 3 天", "changes": "最近的变化（收到心跳时）",
        "history_caption": "柱：每小时最多排队的求助件数；柱下斜线带：该小时打印机曾未就绪；灰色：该小时没有心跳。",
        "history_alt": "自助机 %@ 最近 %@ 天每小时的排队件数与打印机状态", "no_history": "最近 3 天没有收到心跳。",
        "last_heard": "最近心跳", "queue": "待发送", "queue_facts": "%@ 件，最早已等 %@，红色最早已等 %@，无法发送 %@ 件",
        "last_forward": "最近送达中心", "printer": "打印机", "screen": "屏幕最近刷新", "disk": "磁盘",
        "disk_free": "剩余 %@ MiB / 共 %@ MiB", "database_check": "数据库检查",
        "role_front": "前台界面", "role_forwarder": "转发服务",
        "seconds": "%@ 秒", "clock_ok": "时钟准确", "clock_fast": "时钟快 %@", "clock_slow": "时钟慢 %@",
        "p_never_heard": "从未收到心跳（尚未安装，或无法连到中心）",
        "p_silent": "已 %@ 没有心跳（断电、断网或被拒收）",
        "p_clock_refused": "%@，中心拒收它的所有请求：请校准日期和时间（检查主板电池）",
        "p_clock_drifting": "%@：超过 5 分钟中心将拒收，请检查时间同步",
        "p_role_down": "%@未运行（%@）", "p_database_damaged": "数据库损坏：请按手册“数据库损坏”一节处理",
        "p_paper_out": "打印机缺纸", "p_printer": "打印机未就绪（%@）",
        "p_dead_requests": "%@ 件求助无法发送（kioskctl queue dead）", "p_red_waiting": "红色求助已等待 %@ 仍未送达中心",
        "p_oldest_waiting": "最早的求助已等待 %@ 仍未送达中心", "p_disk_nearly_full": "磁盘将满：仅剩 %@ MiB",
        "console": "社区救助受理台", "skip": "跳到主要内容", "signed_in_as": "已登录", "sign_out": "退出登录",
        "language_other": "English", "inbox": "待办案件", "reports": "统计报表", "audit": "访问记录",
        "ticket_label": "扫描回执二维码或输入回执号", "ticket_hint": "扫码枪扫描后自动打开；手工输入如 JA0301-261129-0042-2",
        "open": "打开",
        "sign_in": "登录", "username": "用户名", "password": "密码", "sign_in_title": "工作人员登录",
        "wrong_password": "用户名或密码不正确。", "disabled": "此账户已停用，请联系主管。",
        "locked": "密码连续输错次数过多，账户已锁定至 %@。请稍后再试，或请主管用 kiosk-center staff password 重设密码。",
        "session_ended": "您已较长时间未操作，请重新登录。", "form_expired": "表单已过期，请重试。",
        "sign_in_wait": "登录尝试过多，请等 %@ 秒后再试。", "sign_in_busy": "系统正忙，请过几秒钟再登录。",
        "problem": "出现问题", "forbidden": "您的角色无权打开此页面。", "not_found": "找不到此页面。",
        "unavailable_title": "暂时无法访问数据库",
        "unavailable_detail": "您的操作没有保存。请几秒钟后刷新页面再试；如持续出现，请联系技术人员。",
        "case_other_street": "此求助由%@的受理中心处理，请引导居民前往或联系该中心。",
        "back_to_inbox": "返回待办案件",
        "level_red": "红色·高度困难", "level_yellow": "黄色·中度困难", "level_green": "绿色·低度困难",
        "level_short_red": "红", "level_short_yellow": "黄", "level_short_green": "绿",
        "overdue": "已逾期", "overdue_count": "逾期未联系", "open_cases": "未结案件",
        "filter": "筛选", "state": "状态", "level": "困难等级", "street": "街道", "adviser": "顾问", "all": "全部",
        "open_only": "未结案件", "unassigned": "未分配", "overdue_only": "只看逾期", "clear_filters": "清除筛选",
        "receipt": "回执号", "reasons": "评估依据", "programme": "项目", "service": "服务", "age": "已等待",
        "deadline": "首次联系期限", "assignee": "负责顾问", "no_cases": "没有符合条件的案件。",
        "page": "第 %@ 页，共 %@ 页", "previous": "上一页", "next": "下一页", "cases_found": "共 %@ 件",
        "state_new": "新收到", "state_accepted": "已受理", "state_assigned": "已分配", "state_contacted": "已联系",
        "state_referred": "已转介", "state_in_service": "服务中", "state_closed": "已结案",
        "outcome_helped": "已帮助", "outcome_referred_confirmed": "转介已确认", "outcome_not_eligible": "不符合条件",
        "outcome_withdrawn": "本人撤回", "outcome_unreachable": "多次联系不上", "outcome_duplicate": "重复申请",
        "action_received": "自助机收到", "action_accept": "受理", "action_assign": "分配", "action_contact": "联系",
        "action_refer": "转介", "action_start_service": "开始服务", "action_close": "结案", "action_duplicate": "标为重复",
        "contact_reached": "已联系上", "contact_no_answer": "无人接听",
        "resident": "申请人", "name": "姓名", "phone": "电话", "resident_id": "身份证号", "show_full": "显示完整号码",
        "address": "地址", "community": "居民区", "household": "家庭人数", "story": "本人陈述", "answers": "评估回答",
        "consent": "同意书", "consent_given": "版本 %@，%@ 同意", "language": "使用语言", "kiosk": "自助机",
        "asked_at": "申请时间", "received_at": "中心收到", "first_contact": "首次联系", "attempts": "未接通次数",
        "partner": "转介机构", "outcome": "结果", "duplicate_of": "重复于", "closed_at": "结案时间",
        "erased": "此案件已结案超过保存期限，申请人的个人信息已删除。", "timeline": "处理记录", "when": "时间",
        "who": "人员", "what": "操作", "from_to": "状态", "detail": "说明", "note": "备注",
        "actions": "处理", "accept": "受理此案件", "assign_to": "分配给", "assign": "分配", "assign_me": "由我负责",
        "record_contact": "记录联系", "reached": "已联系上", "no_answer": "无人接听", "refer_to": "转介到",
        "refer": "转介", "start_service": "开始提供服务", "close_with": "结案结果", "close_note": "结案说明（必填，不超过 500 字）",
        "close": "结案", "duplicate_ref": "重复于案件编号（如 C00000012）", "mark_duplicate": "标为重复",
        "no_actions": "此案件已结案。", "done": "已完成：%@",
        "reports_title": "月度统计", "report_scope": "范围", "whole_district": "全区（所有街道）", "month": "月份", "show": "显示", "download_csv": "下载 CSV（Excel 可打开）",
        "requests": "申请数", "by_programme": "按项目", "by_service": "按服务", "by_level": "按困难等级",
        "by_street": "按街道", "first_contact_title": "首次联系", "median_wait": "中位等待时间", "contacted": "已联系",
        "within_deadline": "按期联系比例", "outcomes": "结案结果", "still_open": "仍在处理", "daily_chart": "每日申请（按等级）",
        "chart_alt": "%@ 每日申请数柱状图：红色、黄色、绿色叠加", "none": "无",
        "audit_title": "访问与操作记录", "since": "起始日期", "actor": "人员", "case": "案件", "entries": "最近 %@ 条",
        "ticket_malformed": "这不是本系统的回执二维码或回执号。回执号形如 JA0301-261129-0042-2。",
        "ticket_check": "回执号的校验字符不符：请逐字核对回执上的号码。",
        "ticket_forged": "二维码签名不符：这张回执可能被伪造或改动过，请勿据此办理，并告知主管。",
        "ticket_version": "无法识别的二维码版本。",
        "ticket_unknown_kiosk": "这张回执来自未登记的自助机 %@。",
        "ticket_not_arrived": "回执 %@ 是真实的，但这份申请还没有到达中心（自助机可能离线）。请稍后再试，或联系技术人员。",
        "ticket_no_case": "没有回执号为 %@ 的申请。它可能还没有到达中心。",
        "error_summary": "有问题需要处理",
        "hours": "%@ 小时", "days": "%@ 天", "minutes": "%@ 分钟",
        "log_sign_in": "登录", "log_sign_in_failed": "登录失败", "log_sign_in_refused": "登录被拒（账户停用）",
        "log_locked_out": "账户锁定", "log_sign_out": "退出登录", "log_session_expired": "会话超时",
        "log_view_case": "查看案件", "log_reveal_id": "显示完整身份证号", "log_csrf_refused": "表单被拒（缺少令牌）",
        "log_ticket_refused": "回执被拒", "log_export_report": "导出报表", "log_read_audit": "查看访问记录",
        "log_staff_add": "添加账户", "log_staff_disable": "停用账户", "log_staff_password": "重设密码",
        "log_erase": "删除过期个人信息", "log_accept": "受理", "log_assign": "分配", "log_contact": "联系",
        "log_refer": "转介", "log_start_service": "开始服务", "log_close": "结案", "log_duplicate": "标为重复",
    ]

    private static let englishCore: [String: String] = [
        "fleet": "Kiosks", "fleet_title": "Kiosk fleet", "kiosk_title": "Kiosk %@",
        "health": "Health", "health_ok": "OK", "health_degraded": "Degraded", "health_down": "Down", "health_silent": "Silent",
        "place": "Place", "whats_wrong": "What is wrong", "health_since": "Since", "version": "Version",
        "no_kiosks": "No kiosk is registered.", "fleet_hint": "Worst first; silent after 3 missed heartbeats. This page reloads every minute.",
        "latest_heartbeat": "Latest heartbeat", "kiosk_reports": "What the kiosk reports (kioskctl status)", "history": "Last 3 days", "changes": "Recent changes (as heartbeats arrived)",
        "history_caption": "Bars: most requests waiting in each hour; hatched band below: the printer was not ready in that hour; grey: no heartbeat in that hour.",
        "history_alt": "Kiosk %@: requests waiting and printer state by the hour over the last %@ days", "no_history": "No heartbeat in the last 3 days.",
        "last_heard": "Last heard", "queue": "Waiting", "queue_facts": "%@ requests, oldest %@, oldest red %@, %@ dead",
        "last_forward": "Last delivered", "printer": "Printer", "screen": "Screen last drawn", "disk": "Disk",
        "disk_free": "%@ MiB free of %@ MiB", "database_check": "Database check",
        "role_front": "Front", "role_forwarder": "Forwarder",
        "seconds": "%@ s", "clock_ok": "clock on time", "clock_fast": "clock %@ fast", "clock_slow": "clock %@ slow",
        "p_never_heard": "Never heard (not installed yet, or cannot reach the centre)",
        "p_silent": "No heartbeat for %@ (power, network, or refused)",
        "p_clock_refused": "%@: the centre refuses all its requests. Set the date and time (check the RTC battery)",
        "p_clock_drifting": "%@: past 5 min the centre refuses its requests. Check time sync",
        "p_role_down": "%@ is not running (%@)", "p_database_damaged": "Database damaged: see the manual's \"damaged database\"",
        "p_paper_out": "Printer out of paper", "p_printer": "Printer not ready (%@)",
        "p_dead_requests": "%@ requests cannot be sent (kioskctl queue dead)", "p_red_waiting": "A red request has waited %@ to reach the centre",
        "p_oldest_waiting": "The oldest request has waited %@ to reach the centre", "p_disk_nearly_full": "Disk nearly full: %@ MiB free",
        "console": "Assistance centre console", "skip": "Skip to main content", "signed_in_as": "Signed in as",
        "sign_out": "Sign out", "language_other": "中文", "inbox": "Inbox", "reports": "Reports", "audit": "Access log",
        "ticket_label": "Scan the receipt's QR code or type its number",
        "ticket_hint": "A scanner opens the case at once; typed numbers look like JA0301-261129-0042-2", "open": "Open",
        "sign_in": "Sign in", "username": "Username", "password": "Password", "sign_in_title": "Staff sign-in",
        "wrong_password": "The username or password is wrong.",
        "disabled": "This account is disabled. Ask a supervisor.",
        "locked": "Too many wrong passwords: this account is locked until %@. Try again later, or ask a supervisor to reset the password with kiosk-center staff password.",
        "session_ended": "You were away for a while; please sign in again.",
        "form_expired": "This form has expired; please try again.", "problem": "There is a problem",
        "sign_in_wait": "Too many sign-in attempts: please wait %@ seconds and try again.",
        "sign_in_busy": "The console is busy just now: please sign in again in a few seconds.",
        "forbidden": "Your role cannot open this page.", "not_found": "There is no such page.",
        "unavailable_title": "The database cannot be reached just now",
        "unavailable_detail": "Nothing you did was saved. Reload the page in a few seconds; if this goes on, call a technician.",
        "case_other_street": "This request is handled by the %@ centre: direct the resident there or contact it.",
        "back_to_inbox": "Back to the inbox",
        "level_red": "Red · high hardship", "level_yellow": "Yellow · medium hardship", "level_green": "Green · low hardship",
        "level_short_red": "Red", "level_short_yellow": "Yellow", "level_short_green": "Green",
        "overdue": "Overdue", "overdue_count": "Overdue for first contact", "open_cases": "Open cases",
        "filter": "Filter", "state": "State", "level": "Hardship", "street": "Street", "adviser": "Adviser", "all": "All",
        "open_only": "Open cases", "unassigned": "Unassigned", "overdue_only": "Overdue only", "clear_filters": "Clear filters",
        "receipt": "Receipt", "reasons": "Assessment", "programme": "Programme", "service": "Service", "age": "Waiting",
        "deadline": "First contact due", "assignee": "Adviser", "no_cases": "No cases match.",
        "page": "Page %@ of %@", "previous": "Previous", "next": "Next", "cases_found": "%@ cases",
        "state_new": "New", "state_accepted": "Accepted", "state_assigned": "Assigned", "state_contacted": "Contacted",
        "state_referred": "Referred", "state_in_service": "In service", "state_closed": "Closed",
        "outcome_helped": "Helped", "outcome_referred_confirmed": "Referral confirmed",
        "outcome_not_eligible": "Not eligible", "outcome_withdrawn": "Withdrawn",
        "outcome_unreachable": "Unreachable", "outcome_duplicate": "Duplicate",
        "action_received": "Received from kiosk", "action_accept": "Accepted", "action_assign": "Assigned",
        "action_contact": "Contact", "action_refer": "Referred", "action_start_service": "Service started",
        "action_close": "Closed", "action_duplicate": "Marked duplicate",
        "contact_reached": "Reached", "contact_no_answer": "No answer",
        "resident": "Resident", "name": "Name", "phone": "Phone", "resident_id": "ID number", "show_full": "Show full number",
        "address": "Address", "community": "Community", "household": "Household size", "story": "In their words",
        "answers": "Assessment answers", "consent": "Consent", "consent_given": "version %@, given %@",
        "language": "Language used", "kiosk": "Kiosk", "asked_at": "Asked", "received_at": "Received",
        "first_contact": "First contact", "attempts": "Unanswered attempts", "partner": "Referred to",
        "outcome": "Outcome", "duplicate_of": "Duplicate of", "closed_at": "Closed",
        "erased": "This case was closed longer ago than the retention period; the resident's personal data has been erased.",
        "timeline": "Timeline", "when": "When", "who": "Who", "what": "What", "from_to": "State", "detail": "Detail",
        "note": "Note", "actions": "Actions", "accept": "Accept this case", "assign_to": "Assign to", "assign": "Assign",
        "assign_me": "Take this case", "record_contact": "Record a contact attempt", "reached": "Reached",
        "no_answer": "No answer", "refer_to": "Refer to", "refer": "Refer", "start_service": "Start the service",
        "close_with": "Outcome", "close_note": "Closing note (required, up to 500 characters)", "close": "Close the case",
        "duplicate_ref": "Duplicate of case reference (e.g. C00000012)", "mark_duplicate": "Mark as duplicate",
        "no_actions": "This case is closed.", "done": "Done: %@",
        "reports_title": "Monthly report", "report_scope": "Scope", "whole_district": "Whole district (every street)",
        "month": "Month", "show": "Show", "download_csv": "Download CSV (opens in Excel)",
        "requests": "Requests", "by_programme": "By programme", "by_service": "By service", "by_level": "By hardship",
        "by_street": "By street", "first_contact_title": "First contact", "median_wait": "Median wait",
        "contacted": "Contacted", "within_deadline": "Contacted within deadline", "outcomes": "Outcomes",
        "still_open": "Still open", "daily_chart": "Daily requests by hardship",
        "chart_alt": "Bar chart of daily requests in %@: red, yellow and green stacked", "none": "None",
        "audit_title": "Access and action log", "since": "Since", "actor": "Who", "case": "Case", "entries": "Latest %@",
        "ticket_malformed": "This is not a receipt QR code or number of this system. Numbers look like JA0301-261129-0042-2.",
        "ticket_check": "The receipt number's check character does not match: compare each character with the receipt.",
        "ticket_forged": "The QR code's signature does not match: this receipt may be forged or altered. Do not act on it; tell a supervisor.",
        "ticket_version": "This QR code's version is not known.",
        "ticket_unknown_kiosk": "This receipt comes from kiosk %@, which is not registered.",
        "ticket_not_arrived": "Receipt %@ is genuine, but its request has not reached the centre yet (the kiosk may be offline). Try again later or call a technician.",
        "ticket_no_case": "There is no request with receipt number %@. It may not have reached the centre yet.",
        "error_summary": "There is a problem",
        "hours": "%@ h", "days": "%@ d", "minutes": "%@ min",
        "log_sign_in": "Signed in", "log_sign_in_failed": "Sign-in failed", "log_sign_in_refused": "Sign-in refused (disabled)",
        "log_locked_out": "Locked out", "log_sign_out": "Signed out", "log_session_expired": "Session expired",
        "log_view_case": "Viewed case", "log_reveal_id": "Showed full ID number", "log_csrf_refused": "Form refused (no token)",
        "log_ticket_refused": "Ticket refused", "log_export_report": "Exported report", "log_read_audit": "Read access log",
        "log_staff_add": "Account added", "log_staff_disable": "Account disabled", "log_staff_password": "Password set",
        "log_erase": "Erased past retention", "log_accept": "Accepted", "log_assign": "Assigned", "log_contact": "Contact",
        "log_refer": "Referred", "log_start_service": "Service started", "log_close": "Closed", "log_duplicate": "Marked duplicate",
    ]
}

extension Dictionary where Key == String, Value == String {
    /// `%@` placeholders filled in order.
    func format(_ key: String, _ values: String...) -> String {
        var text = self[key] ?? key
        for value in values {
            guard let range = text.range(of: "%@") else { break }
            text.replaceSubrange(range, with: value)
        }
        return text
    }
}

/// The console's words that Swift code names (templates name theirs as
/// `{{t.key}}`): a typo is a build error, and a test checks that both
/// tables hold every one.
package enum ConsoleText: String, CaseIterable, Sendable {
    case all
    case badAmount = "bad_amount"
    case badDate = "bad_date"
    case cancelledBecause = "cancelled_because"
    case declinedBecause = "declined_because"
    case noSuchReferral = "no_such_referral"
    case partnerInbox = "partner_inbox"
    case slipForged = "slip_forged"
    case auditTitle = "audit_title"
    case clockOk = "clock_ok"
    case disabled
    case fleetTitle = "fleet_title"
    case forbidden
    case formExpired = "form_expired"
    case inbox
    case notFound = "not_found"
    case openOnly = "open_only"
    case overdue
    case pDatabaseDamaged = "p_database_damaged"
    case pNeverHeard = "p_never_heard"
    case pPaperOut = "p_paper_out"
    case printer
    case problem
    case receipt
    case reportsTitle = "reports_title"
    case sessionEnded = "session_ended"
    case signInBusy = "sign_in_busy"
    case signInTitle = "sign_in_title"
    case ticketCheck = "ticket_check"
    case ticketForged = "ticket_forged"
    case ticketMalformed = "ticket_malformed"
    case ticketVersion = "ticket_version"
    case unassigned
    case unavailableDetail = "unavailable_detail"
    case unavailableTitle = "unavailable_title"
    case wholeDistrict = "whole_district"
    case wrongPassword = "wrong_password"
}

extension Dictionary where Key == String, Value == String {
    /// A word of a `ConsoleTexts` table; its key, should a table ever lack it.
    subscript(_ text: ConsoleText) -> String { self[text.rawValue] ?? text.rawValue }
}
