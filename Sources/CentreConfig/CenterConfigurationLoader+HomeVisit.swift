import KioskConfig
import KioskDomain

extension CenterConfigurationLoader {
    /// `home-visit.yaml`: `form` (version, name), `weights`, `thresholds`,
    /// `reviews` (days by level) and `sections`, one per dimension, each with
    /// questions written as `assessment.yaml`'s are.
    static func readHomeVisit(_ root: YAMLNode) -> HomeVisitForm? {
        guard let top = root.mapping("home-visit.yaml", keys: ["form", "weights", "thresholds", "reviews", "sections"])
        else { return nil }
        var version: String?, name: LocalizedText?
        if let map = top.required("form")?.mapping("form", keys: ["version", "name"]) {
            version = map.required("version")?.identifier("form.version")
            name = map.required("name")?.localized("form.name")
        }
        var weights: [KioskDomain.Dimension: Int]? = [:]
        if let map = top.optional("weights")?.mapping("weights", keys: Set(KioskDomain.Dimension.allCases.map(\.rawValue))) {
            for dimension in KioskDomain.Dimension.allCases {
                guard let node = map.optional(dimension.rawValue) else { continue }
                // Read on after a problem: one pass names every problem of the file.
                guard let weight = node.int("weights.\(dimension.rawValue)", in: 1...5) else { weights = nil; continue }
                weights?[dimension] = weight
            }
        }
        let thresholdNode = top.required("thresholds")
        let thresholds = thresholdNode.flatMap(ConfigurationLoader.readThresholds)
        var reviewDays: [HardshipLevel: Int]?
        if let map = top.required("reviews")?.mapping("reviews", keys: Set(HardshipLevel.allCases.map(\.rawValue))) {
            var days: [HardshipLevel: Int] = [:]
            for level in HardshipLevel.allCases {
                if let value = map.required(level.rawValue)?.int("reviews.\(level.rawValue)", in: 7...730) { days[level] = value }
            }
            reviewDays = days.count == HardshipLevel.allCases.count ? days : nil
        }
        var seen = Set<KioskDomain.Dimension>()
        var earlierIDs = Set<String>()
        let sectionNodes = top.required("sections")?.sequence("sections") ?? []
        let sections = sectionNodes.compactMap { item -> HomeVisitForm.Section? in
            guard let map = item.mapping("section", keys: ["dimension", "name", "questions"]) else { return nil }
            let dimension = map.required("dimension")?.string("section.dimension").flatMap { text -> KioskDomain.Dimension? in
                guard let dimension = KioskDomain.Dimension(rawValue: text) else {
                    item.problem("section.dimension '\(text)' is not one of economic, social, development")
                    return nil
                }
                if !seen.insert(dimension).inserted { item.problem("a second section for \(text)") }
                return dimension
            }
            let sectionName = map.required("name")?.localized("section.name")
            let questionNodes = map.required("questions")?.sequence("section.questions") ?? []
            let questions = ConfigurationLoader.readQuestions(questionNodes)
            // Ids are unique across the whole form: answers are kept by question id.
            for question in questions where earlierIDs.contains(question.id) {
                item.problem("question id '\(question.id)' is in another section too")
            }
            earlierIDs.formUnion(questions.map(\.id))
            if questionNodes.isEmpty { item.problem("section '\(dimension?.rawValue ?? "?")' needs at least one question") }
            guard let dimension, let sectionName, questions.count == questionNodes.count, !questions.isEmpty else { return nil }
            return HomeVisitForm.Section(dimension: dimension, name: sectionName, questions: questions)
        }
        if sections.count == sectionNodes.count, seen.count < KioskDomain.Dimension.allCases.count {
            top.owner.problem("home-visit.yaml: one section for each of economic, social, development")
        }
        guard let version, let name, let weights, let thresholds, let reviewDays, sections.count == sectionNodes.count,
              seen.count == KioskDomain.Dimension.allCases.count else { return nil }
        let form = HomeVisitForm(version: version, name: name, sections: sections, weights: weights,
                                 thresholds: thresholds, reviewDays: reviewDays)
        let highest = form.weighted.questions.reduce(0) { $0 + ($1.options.map(\.scores.total).max() ?? 0) }
        if thresholds.redAt > highest {
            thresholdNode?.problem("thresholds.red_at (\(thresholds.redAt)) can never be reached: the highest possible weighted total is \(highest)")
            return nil
        }
        return form
    }
}
