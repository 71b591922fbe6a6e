/// The words of home visits on a case's timeline and in the access log.
extension ConsoleTexts {
    static let visitChinese: [String: String] = [
        "action_visit": "家庭访视", "action_visit_approved": "访视评级已批准", "action_visit_sent_back": "访视评级被退回",
        "log_visit": "记录家庭访视", "log_visit_approved": "批准访视评级", "log_visit_sent_back": "退回访视评级",
    ]

    static let visitEnglish: [String: String] = [
        "action_visit": "Home visit", "action_visit_approved": "Visit's level approved",
        "action_visit_sent_back": "Visit's level sent back",
        "log_visit": "Recorded a home visit", "log_visit_approved": "Approved a visit's level",
        "log_visit_sent_back": "Sent a visit's level back",
    ]
}
