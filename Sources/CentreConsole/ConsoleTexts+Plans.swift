/// The words of a case's plan, the inbox's follow-ups and the outcome of home visits in the report.
extension ConsoleTexts {
    static let planChinese: [String: String] = [
        "action_plan_item": "制定帮扶计划项", "action_plan_done": "计划项已完成", "action_plan_not_done": "计划项未完成",
        "log_plan_item": "添加帮扶计划项", "log_plan_done": "标记计划项完成", "log_plan_not_done": "标记计划项未完成",
        "plan_title": "帮扶计划（物质 + 服务 + 心理）", "no_plan": "尚无计划项。", "plan_kind": "帮扶类别",
        "plan_what": "帮扶内容（不超过 300 字）", "plan_owner": "负责", "plan_due": "完成期限", "plan_add": "添加计划项",
        "plan_open": "进行中", "plan_done": "已完成", "plan_not_done": "未完成", "plan_note": "说明（未完成时必填）",
        "plan_mark_done": "完成", "plan_mark_not_done": "未完成", "plan_erased": "（已按保存期限删除）",
        "followups_title": "待跟进", "followup_plan": "计划项逾期：%@", "followup_review": "到期回访（家庭访视）",
        "followup_due": "期限", "level_from_visit": "家庭访视评定（自助机：%@）",
    ]

    static let planEnglish: [String: String] = [
        "action_plan_item": "Plan item added", "action_plan_done": "Plan item done",
        "action_plan_not_done": "Plan item not done",
        "log_plan_item": "Added a plan item", "log_plan_done": "Marked a plan item done",
        "log_plan_not_done": "Marked a plan item not done",
        "plan_title": "Plan (material + service + psychological)", "no_plan": "No plan item yet.", "plan_kind": "Kind of help",
        "plan_what": "What (up to 300 characters)", "plan_owner": "Whose", "plan_due": "Due", "plan_add": "Add to the plan",
        "plan_open": "Open", "plan_done": "Done", "plan_not_done": "Not done", "plan_note": "Note (needed when not done)",
        "plan_mark_done": "Done", "plan_mark_not_done": "Not done", "plan_erased": "(erased after the retention period)",
        "followups_title": "To follow up", "followup_plan": "plan item past its day: %@", "followup_review": "review visit due",
        "followup_due": "due", "level_from_visit": "From a home visit (the kiosk: %@)",
    ]
}
