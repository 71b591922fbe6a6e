import KioskConfig
import KioskDomain

extension CenterConfigurationLoader {
    /// `partners.yaml`: the organisations cases are referred to, each with an
    /// id (kept in every referral's history), a name, address, opening hours
    /// and phone in both languages, what to bring, the help it gives, the
    /// programmes it takes (checked against `catalog`, when that file read
    /// cleanly) and its answer deadline in working days.
    static func readPartners(_ root: YAMLNode, catalog: Catalog?) -> [Partner]? {
        guard let top = root.mapping("partners.yaml", keys: ["partners"]),
              let list = top.required("partners")?.sequence("partners") else { return nil }
        var ids = UniqueIDs("partner")
        let keys: Set<String> = ["id", "name", "address", "hours", "phone", "bring", "helps", "programmes",
                                 "answer_within_working_days"]
        let partners = list.compactMap { item -> Partner? in
            guard let map = item.mapping("partner", keys: keys) else { return nil }
            let id = map.required("id")?.identifier("partner.id")
            if let id { ids.insert(id, at: item) }
            let what = id.map { "partner \($0)" } ?? "partner"
            // Named by its id: "partner food-bank: missing 'address'".
            func required(_ key: String) -> YAMLNode? {
                if map.values[key] == nil { item.problem("\(what): missing '\(key)'") }
                return map.values[key]
            }
            let name = required("name")?.localized("\(what).name")
            let address = required("address")?.localized("\(what).address")
            let hours = required("hours")?.localized("\(what).hours")
            let phone = required("phone")?.string("\(what).phone").flatMap { phone in
                checkedPhone(phone, node: map.values["phone"]!, what: "\(what).phone")
            }
            let bring = map.optional("bring").map { $0.localized("\(what).bring") }
            let helps = map.optional("helps").map { readHelps($0, what: "\(what).helps") }
                ?? Set(HelpKind.allCases)
            let programmes = map.optional("programmes").map { readProgrammes($0, what: "\(what).programmes",
                                                                            catalog: catalog) }
                ?? []
            let days = map.optional("answer_within_working_days")
                .map { $0.int("\(what).answer_within_working_days", in: 1...30) } ?? Partner.standardAnswerWithin
            // `bring` given but unreadable is a problem already logged, not "nothing to bring".
            if case .some(nil) = bring { return nil }
            guard let id, let name, let address, let hours, let phone, let helps, let programmes, let days
            else { return nil }
            return Partner(id: id, name: name, address: address, hours: hours, phone: phone, bring: bring ?? nil,
                           helps: helps, programmes: programmes, answerWithinWorkingDays: days)
        }
        if list.isEmpty { top.owner.problem("partners.yaml: at least one partner is needed") }
        guard partners.count == list.count, !partners.isEmpty else { return nil }
        return partners
    }

    /// Digits, spaces, `-`, `+` and parentheses: printed on a slip and dialled by hand.
    static func checkedPhone(_ phone: String, node: YAMLNode, what: String) -> String? {
        let allowed = Set("0123456789 -+()")
        guard phone.allSatisfy(allowed.contains), phone.filter(\.isNumber).count >= 3 else {
            node.problem("\(what) '\(phone)' must be a phone number (digits, spaces, '-', '+', parentheses)")
            return nil
        }
        return phone
    }

    /// `[material, service, psychological]`: at least one, each once.
    static func readHelps(_ node: YAMLNode, what: String) -> Set<HelpKind>? {
        guard let list = node.sequence(what) else { return nil }
        var kinds = Set<HelpKind>()
        for item in list {
            guard let text = item.string(what) else { return nil }
            guard let kind = HelpKind(rawValue: text) else {
                item.problem("\(what): '\(text)' is not one of material, service, psychological")
                return nil
            }
            kinds.insert(kind)
        }
        if kinds.isEmpty { node.problem("\(what) needs at least one of material, service, psychological") }
        return kinds.isEmpty ? nil : kinds
    }

    /// Programme ids from `catalog.yaml`.
    static func readProgrammes(_ node: YAMLNode, what: String, catalog: Catalog?) -> [String]? {
        guard let list = node.sequence(what) else { return nil }
        var ids: [String] = []
        for item in list {
            guard let id = item.identifier(what) else { return nil }
            if let catalog, catalog.programme(id) == nil {
                item.problem("\(what): '\(id)' is not a programme in catalog.yaml")
                return nil
            }
            ids.append(id)
        }
        return ids
    }

    /// `referral_slips: {printer: QUEUE, roll_width_mm: 58|80, font: FAMILY}`.
    static func readSlips(_ node: YAMLNode) -> SlipSettings? {
        guard let map = node.mapping("referral_slips", keys: ["printer", "roll_width_mm", "font"]) else { return nil }
        let printer = map.optional("printer").map { $0.string("referral_slips.printer") }
        let width = map.optional("roll_width_mm").map { $0.int("referral_slips.roll_width_mm", in: 58...210) }
        let font = map.optional("font").map { $0.string("referral_slips.font") }
        if case .some(nil) = printer { return nil }
        if case .some(nil) = width { return nil }
        if case .some(nil) = font { return nil }
        var settings = SlipSettings(printer: printer ?? nil)
        if let width = width ?? nil { settings.widthMM = Double(width) }
        if let font = font ?? nil { settings.fontFamily = font }
        return settings
    }
}
