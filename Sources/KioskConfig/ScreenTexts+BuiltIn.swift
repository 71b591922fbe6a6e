import KioskDomain

extension ScreenTexts.Key {
    /// The text a key has when texts.yaml leaves it out: only keys added
    /// after the first release have one, so a district's edited texts.yaml
    /// (a conffile dpkg keeps on upgrade) still loads. The shipped texts.yaml
    /// gives the same words, where a district can change them.
    var builtIn: LocalizedText? {
        func text(_ chinese: String, _ english: String) -> LocalizedText { LocalizedText(chinese: chinese, english: english) }
        switch self {
        case .welcomeBodyNoPrinter:
            return text("遇到困难，可以在这里申请帮助。大约需要 3 分钟，完成后屏幕上会显示您的回执编号。",
                        "If you are going through a hard time, you can ask for help here. It takes about 3 minutes, and the screen shows your receipt number at the end.")
        case .welcomeConsult: return text("了解有哪些帮助", "Learn what help there is")
        case .helpLineText: return text("输入后按回车 · 退格键删除 · Esc 返回", "Type, then Enter · Backspace deletes · Esc back")
        case .askName: return text("请问您怎么称呼？", "What is your name?")
        case .askPhone: return text("我们打哪个电话联系您？", "Which number should we call you on?")
        case .askResidentID: return text("您的身份证号码", "Your resident ID number")
        case .askStreet: return text("您住在哪个街道？", "Which street area do you live in?")
        case .askCommunity: return text("您住在哪个居民区？", "Which community do you live in?")
        case .askAddressDetail: return text("您的详细地址", "Your address")
        case .askHouseholdSize: return text("您家里一共几口人？", "How many people live in your home?")
        case .askDescription: return text("还有什么想告诉我们的吗？", "Is there anything else you want to tell us?")
        case .hintPhone: return text("11 位手机号，或带区号的固定电话", "An 11-digit mobile number, or a landline with its area code")
        case .hintResidentID: return text("18 位，最后一位可能是 X；不填也可以", "18 characters, the last may be X; you may leave it empty")
        case .hintHouseholdSize: return text("包括您自己，填 {min} 到 {max} 之间的数字", "Count yourself too: a number from {min} to {max}")
        case .hintCount: return text("已写 {count} 字，最多 {max} 字", "{count} of {max} characters")
        case .streetUnsure: return text("其他街道 / 不确定", "Another street / not sure")
        case .communityUnsure: return text("不确定", "Not sure")
        case .declinedHotlines: return text("需要时，可以拨打：", "If you need to, you can call:")
        case .receiptNoPrinter:
            return text("这台机器不打印回执。请拍下二维码，或记下回执编号。",
                        "This kiosk does not print receipts. Please photograph the QR code or write down the receipt number.")
        case .receiptNoCall:
            return text("如果 3 个工作日内没有人联系您，请拨打 {number}，或带上回执到服务中心窗口询问。",
                        "If nobody has called you within 3 working days, call {number} or bring this receipt to the centre's window.")
        case .consultTitle: return text("有哪些帮助", "Help you can ask for")
        case .consultServices: return text("这个项目提供：", "This programme offers:")
        case .consultApply: return text("申请这项帮助", "Ask for this help")
        case .consultAsk:
            return text("想了解更多，可以拨打 {number}，或到服务中心窗口咨询。",
                        "To learn more, call {number} or ask at the centre's window.")
        case .welcomeProgress: return text("查询申请进度", "Check a request's progress")
        case .progressTitle: return text("申请进度", "Progress of your request")
        case .progressEnter: return text("请输入回执上的编号（例如 {example}），或把回执上的二维码对准扫码口。", "Type the number on your receipt (for example {example}), or hold the receipt's QR code to the scanner.")
        case .progressFormat: return text("编号的样子不对，请按回执上的样子输入，例如 {example}", "That is not a receipt number. Type it as printed, for example {example}")
        case .progressCheck: return text("编号有误：有一个字符不对，或两个字符顺序颠倒了，请再核对一下。", "This number has a mistake: one character is wrong or two are swapped. Please check it.")
        case .progressNotThisKiosk: return text("这张回执不是这台机器打印的，请到打印它的自助机或服务中心窗口查询。", "This receipt was not printed by this kiosk. Please check at the kiosk that printed it, or at the centre's window.")
        case .progressUnknown: return text("这台机器上找不到这个编号。请核对编号，或带上回执到服务中心窗口询问。", "This kiosk has no request with this number. Please check the number, or bring your receipt to the centre's window.")
        case .progressWaiting: return text("还没有送到服务中心：这台机器联网后会自动发送，您的申请不会丢失。", "Not yet sent to the centre: this kiosk sends it as soon as it can, and your request will not be lost.")
        case .progressSent: return text("已送到服务中心，正在等待处理。", "Sent to the centre; waiting to be dealt with.")
        case .progressSetAside: return text("这份申请没能送到服务中心。请带上回执到服务中心窗口，工作人员会帮您处理。", "This request could not reach the centre. Please bring your receipt to the centre's window; the staff will help you.")
        case .progressReceived: return text("服务中心已收到", "Received by the centre")
        case .progressAccepted: return text("已受理", "Accepted")
        case .progressAssigned: return text("已安排社区救助顾问", "An adviser has been assigned")
        case .progressContacted: return text("顾问已和您联系", "The adviser has spoken with you")
        case .progressReferred: return text("已转介给：{partner}", "Referred to: {partner}")
        case .progressInService: return text("正在为您提供帮助", "Help is under way")
        case .progressClosed: return text("已办结：{outcome}", "Closed: {outcome}")
        case .outcomeHelped: return text("已为您提供帮助", "you were helped")
        case .outcomeReferredConfirmed: return text("转介单位已接手", "the partner organisation has taken it on")
        case .outcomeNotEligible: return text("不符合这项救助的条件，可到服务中心窗口了解其他帮助", "not eligible for this help; ask at the centre's window about other help")
        case .outcomeWithdrawn: return text("申请已撤回", "the request was withdrawn")
        case .outcomeUnreachable: return text("多次联系不上您，请拨打 {number} 重新联系", "we could not reach you; please call {number}")
        case .outcomeDuplicate: return text("与您的另一份申请合并办理", "dealt with together with your other request")
        case .receiptProgressHint: return text("凭二维码，或回执编号加查询码，可在这台自助机上查询办理进度。查询码请勿告诉他人。", "Check your request's progress at this kiosk with the QR code, or with the receipt number and its progress code. Keep the code to yourself.")
        case .receiptProgressCode: return text("查询码 {code}", "Progress code {code}")
        case .progressCodeEnter: return text("请输入回执上编号旁边的 4 位查询码，再按回车。没有查询码也可以直接按回车，但只能知道这个编号是否存在。", "Type the 4-digit progress code printed beside the number, then Enter. Without it, press Enter: you will only learn whether the number exists.")
        case .progressCodeError: return text("查询码不对，请核对回执上编号旁边的 4 位数字。", "That progress code is wrong. Check the four digits beside the number on your receipt.")
        case .progressExists: return text("这个编号的申请存在。要看办理进度，请扫描回执上的二维码，或输入编号旁边的查询码。", "A request with this number exists. To see its progress, scan the receipt's QR code or type the progress code beside the number.")
        case .progressTooMany: return text("查询次数太多，请 {seconds} 秒后再试，或到服务中心窗口询问。", "Too many look-ups: please try again in {seconds} seconds, or ask at the centre's window.")
        case .progressSessionLimit: return text("这次已经查询了多次。请到服务中心窗口询问，或稍后再来查询。", "You have looked up several numbers this time. Please ask at the centre's window, or come back later.")
        case .anyKeyReturns: return text("按任意键返回", "Press any key to go back")
        case .progressReferralReceived: return text("{partner}已收到您的转介", "{partner} has received your referral")
        case .progressReferralAccepted: return text("{partner}已接收您的转介", "{partner} has taken on your referral")
        case .progressReferralDeclined:
            return text("{partner}这次没能提供帮助，顾问会为您另想办法", "{partner} could not help this time; your adviser will find another way")
        case .progressReferralCompleted: return text("{partner}已于 {day} 为您提供帮助", "{partner} helped you on {day}")
        case .askTextMessages:
            return text("我们可以发短信告诉您办理进度吗？", "May we send you text messages about how your request is going?")
        case .fieldTextMessages: return text("短信告知进度", "Text messages")
        case .textMessagesYes: return text("可以，请发短信给我", "Yes, text me")
        case .textMessagesNo: return text("不用，不要发短信", "No text messages")
        default: return nil
        }
    }
}
