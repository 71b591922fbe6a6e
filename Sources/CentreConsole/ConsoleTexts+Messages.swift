/// The words of text messages to residents on a case's page, in the inbox and the access log.
extension ConsoleTexts {
    static let messageChinese: [String: String] = [
        "sms_title": "短信", "sms_not_allowed": "居民没有同意接收短信。", "sms_replies": "居民回复",
        "sms_free_text_label": "发一条短信给居民（与模板同样的长度限制，带签名）", "sms_send": "发送短信", "sms_free_text": "顾问短信",
        "sms_received": "已收到", "sms_assigned": "已有顾问负责", "sms_referred": "已转介",
        "sms_referral_accepted": "机构已接收转介", "sms_help_delivered": "机构已提供帮助", "sms_closed_helped": "已办结",
        "sms_closed_other": "已结束", "sms_follow_up": "回访",
        "sms_state_queued": "待发送", "sms_state_sending": "发送中", "sms_state_sent": "已发出，待送达报告",
        "sms_state_delivered": "已送达", "sms_state_failed": "发送失败", "sms_state_superseded": "已合并到下一条",
        "sms_attempts": "第 %@ 次尝试", "sms_answer_yes": "帮助符合需要", "sms_answer_no": "帮助不符合需要",
        "sms_reply": "居民回复短信", "sms_segments": "%@ 条", "followup_call": "短信未送达，请致电居民：%@",
        "action_reply": "居民回复", "action_text_message": "顾问发送短信", "log_text_message": "发送短信给居民",
    ]

    static let messageEnglish: [String: String] = [
        "sms_title": "Text messages", "sms_not_allowed": "The resident did not agree to text messages.",
        "sms_replies": "Replies", "sms_free_text_label": "Text the resident (the same length rule as the templates, signed)",
        "sms_send": "Send the text", "sms_received": "Received", "sms_assigned": "Adviser assigned", "sms_referred": "Referred",
        "sms_referral_accepted": "Referral accepted", "sms_help_delivered": "Help delivered", "sms_closed_helped": "Closed, helped",
        "sms_closed_other": "Closed", "sms_follow_up": "Follow-up question", "sms_free_text": "Adviser's message",
        "sms_state_queued": "Waiting to be sent", "sms_state_sending": "Sending", "sms_state_sent": "Sent, no delivery report yet",
        "sms_state_delivered": "Delivered", "sms_state_failed": "Not delivered", "sms_state_superseded": "Joined into the next",
        "sms_attempts": "attempt %@", "sms_answer_yes": "the help was what they needed",
        "sms_answer_no": "the help was not what they needed", "sms_reply": "The resident replied",
        "sms_segments": "%@ part(s)", "followup_call": "a text did not get through, phone the resident: %@",
        "action_reply": "Resident's reply", "action_text_message": "Adviser texted the resident",
        "log_text_message": "Texted a resident",
    ]
}
