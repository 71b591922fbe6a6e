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
        default: return nil
        }
    }
}
