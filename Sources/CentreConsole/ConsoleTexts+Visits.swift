/// The words of home visits on a case's timeline and in the access log.
extension ConsoleTexts {
    static let visitChinese: [String: String] = [
        "action_visit": "家庭访视", "action_visit_approved": "访视评级已批准", "action_visit_sent_back": "访视评级被退回",
        "log_visit": "记录家庭访视", "log_visit_approved": "批准访视评级", "log_visit_sent_back": "退回访视评级",
        "home_visits": "家庭访视", "record_visit": "记录访视", "work_out_level": "先算出评级", "visited_on": "访视日期",
        "visit_met": "见到了谁（如：居民和女儿）", "visit_note": "访视记录（不超过 500 字）",
        "visit_recorded": "已记录", "visit_pending": "待主管审批", "visit_approved": "已批准", "visit_sent_back": "已退回",
        "visit_gives": "这些回答得出：%@（加权总分 %@）", "visit_changes": "与当前评级“%@”不同：记录后需主管审批。",
        "visit_moved": "变化最大的是%@。", "visit_emergency": "其中有紧急情况的回答。", "next_review": "下次回访",
        "approve_level": "批准新评级", "send_back": "退回", "decision_note": "说明（退回时必填）",
        "approvals_title": "待审批的访视评级", "no_visits": "尚未访视。",
        "visit_live": "已答 {answered}/{questions} 题：加权总分 {total}（%@ {economic}、%@ {social}、%@ {development}）",
    ]

    static let visitEnglish: [String: String] = [
        "action_visit": "Home visit", "action_visit_approved": "Visit's level approved",
        "action_visit_sent_back": "Visit's level sent back",
        "log_visit": "Recorded a home visit", "log_visit_approved": "Approved a visit's level",
        "log_visit_sent_back": "Sent a visit's level back",
        "home_visits": "Home visits", "record_visit": "Record the visit", "work_out_level": "Work out the level first",
        "visited_on": "Day of the visit", "visit_met": "Who you met (e.g. the resident and her daughter)",
        "visit_note": "What you found (up to 500 characters)",
        "visit_recorded": "Recorded", "visit_pending": "Waiting for a supervisor", "visit_approved": "Approved",
        "visit_sent_back": "Sent back", "visit_gives": "These answers give: %@ (weighted total %@)",
        "visit_changes": "Not the case's level now (%@): a supervisor approves it once recorded.",
        "visit_moved": "%@ moved most.", "visit_emergency": "One answer is an emergency.", "next_review": "Next review",
        "approve_level": "Approve the new level", "send_back": "Send back", "decision_note": "Note (needed to send back)",
        "approvals_title": "Visits waiting for your approval", "no_visits": "No visit yet.",
        "visit_live": "{answered} of {questions} answered: weighted total {total} (%@ {economic}, %@ {social}, %@ {development})",
    ]
}
