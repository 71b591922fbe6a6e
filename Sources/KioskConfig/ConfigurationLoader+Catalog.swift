import KioskDomain

extension ConfigurationLoader {
    /// `catalog.yaml`: `programmes` (id, name) and `services` (id, programme,
    /// kind, name), listed separately so each service names its programme.
    package static func readCatalog(_ root: YAMLNode) -> Catalog? {
        guard let top = root.mapping("catalog.yaml", keys: ["programmes", "services"]) else { return nil }
        var programmeIDs = UniqueIDs("programme")
        // Every id read, also of a programme with a problem of its own: its services are not "unlisted".
        var listed: Set<String> = []
        let programmeNodes = top.required("programmes")?.sequence("programmes") ?? []
        var programmes = programmeNodes.compactMap { item -> (Programme, YAMLNode)? in
            guard let map = item.mapping("programme", keys: ["id", "name", "audience", "description"]) else { return nil }
            let id = map.required("id")?.identifier("programme.id")
            let name = map.required("name")?.localized("programme.name")
            let audience = map.optional("audience").map { $0.localized("programme.audience") }
            let description = map.optional("description").map { $0.localized("programme.description") }
            if let id {
                programmeIDs.insert(id, at: item)
                listed.insert(id)
            }
            guard let id, let name, audience != .some(nil), description != .some(nil) else { return nil }
            return (Programme(id: id, name: name, audience: audience ?? nil, description: description ?? nil,
                              services: []), item)
        }
        if programmeNodes.isEmpty { top.owner.problem("catalog.yaml: at least one programme is needed") }

        var serviceIDs = UniqueIDs("service")
        let serviceNodes = top.required("services")?.sequence("services") ?? []
        var servicesRead = 0
        for item in serviceNodes {
            guard let map = item.mapping("service", keys: ["id", "programme", "kind", "name", "description"])
            else { continue }
            let id = map.required("id")?.identifier("service.id")
            let programmeID = map.required("programme")?.identifier("service.programme")
            let name = map.required("name")?.localized("service.name")
            let description = map.optional("description").map { $0.localized("service.description") }
            var kind: ServiceKind?
            if let kindNode = map.required("kind"), let text = kindNode.string("service.kind") {
                kind = ServiceKind(rawValue: text)
                if kind == nil {
                    kindNode.problem("service.kind '\(text)' must be one of: material, service, psychological")
                }
            }
            if let id { serviceIDs.insert(id, at: item) }
            guard let id, let programmeID, let name, let kind, description != .some(nil) else { continue }
            guard let index = programmes.firstIndex(where: { $0.0.id == programmeID }) else {
                if !listed.contains(programmeID) {
                    map.values["programme"]?.problem("service '\(id)' points at programme '\(programmeID)', which is not listed")
                }
                continue
            }
            programmes[index].0.services.append(Service(id: id, programmeID: programmeID, name: name, kind: kind,
                                                        description: description ?? nil))
            servicesRead += 1
        }
        for (programme, node) in programmes where programme.services.isEmpty {
            node.problem("programme '\(programme.id)' has no services")
        }
        guard programmes.count == programmeNodes.count, servicesRead == serviceNodes.count, !programmes.isEmpty
        else { return nil }
        return Catalog(programmes: programmes.map(\.0))
    }

    /// `assessment.yaml`: `thresholds` (yellow_at < red_at) and `questions`,
    /// each with options scored on the three dimensions.
    package static func readAssessment(_ root: YAMLNode) -> Assessment? {
        guard let top = root.mapping("assessment.yaml", keys: ["thresholds", "questions"]) else { return nil }
        let thresholdNode = top.required("thresholds")
        let thresholds = thresholdNode.flatMap(readThresholds)

        let questionNodes = top.required("questions")?.sequence("questions") ?? []
        let questions = readQuestions(questionNodes)
        if questionNodes.isEmpty { top.owner.problem("assessment.yaml: at least one question is needed") }

        guard let thresholds, questions.count == questionNodes.count, !questions.isEmpty else { return nil }
        let highest = questions.reduce(0) { $0 + ($1.options.map(\.scores.total).max() ?? 0) }
        if thresholds.redAt > highest {
            thresholdNode?.problem("thresholds.red_at (\(thresholds.redAt)) can never be reached: the highest possible total is \(highest)")
            return nil
        }
        return Assessment(questions: questions, thresholds: thresholds)
    }

    /// `{yellow_at: N, red_at: M}`, N below M.
    package static func readThresholds(_ node: YAMLNode) -> HardshipThresholds? {
        guard let map = node.mapping("thresholds", keys: ["yellow_at", "red_at"]) else { return nil }
        let yellow = map.required("yellow_at")?.int("thresholds.yellow_at", in: 1...1000)
        let red = map.required("red_at")?.int("thresholds.red_at", in: 1...1000)
        guard let yellow, let red else { return nil }
        guard yellow < red else {
            map.owner.problem("thresholds out of order: yellow_at (\(yellow)) must be below red_at (\(red))")
            return nil
        }
        return HardshipThresholds(yellowAt: yellow, redAt: red)
    }

    /// Questions with single-choice options, each option with its scores
    /// per dimension and whether it is an emergency: the kiosk's assessment
    /// and the centre's home-visit form are written alike. Nil entries are
    /// problems already logged.
    package static func readQuestions(_ nodes: [YAMLNode]) -> [AssessmentQuestion] {
        var questionIDs = UniqueIDs("question")
        return nodes.compactMap { item -> AssessmentQuestion? in
            guard let map = item.mapping("question", keys: ["id", "prompt", "options"]) else { return nil }
            let id = map.required("id")?.identifier("question.id")
            let prompt = map.required("prompt")?.localized("question.prompt")
            if let id { questionIDs.insert(id, at: item) }
            var optionIDs = UniqueIDs("option")
            let optionNodes = map.required("options")?.sequence("question.options") ?? []
            if optionNodes.count < 2 { item.problem("question '\(id ?? "?")' needs at least two options") }
            let options = optionNodes.compactMap { entry -> AssessmentOption? in
                guard let map = entry.mapping("option", keys: ["id", "label", "scores", "emergency"]) else { return nil }
                let id = map.required("id")?.identifier("option.id")
                let label = map.required("label")?.localized("option.label")
                let emergency = map.optional("emergency").map { $0.bool("option.emergency") } ?? false
                var scores: DimensionScores? = .zero
                if let scoreNode = map.optional("scores") {
                    scores = readScores(scoreNode)
                }
                if let id { optionIDs.insert(id, at: entry) }
                guard let id, let label, let emergency, let scores else { return nil }
                return AssessmentOption(id: id, label: label, scores: scores, isEmergency: emergency)
            }
            guard let id, let prompt, options.count == optionNodes.count, optionNodes.count >= 2 else { return nil }
            return AssessmentQuestion(id: id, prompt: prompt, options: options)
        }
    }

    package static func readScores(_ node: YAMLNode) -> DimensionScores? {
        guard let map = node.mapping("scores", keys: Set(Dimension.allCases.map(\.rawValue))) else { return nil }
        var scores = DimensionScores.zero
        var ok = true
        for dimension in Dimension.allCases {
            guard let valueNode = map.optional(dimension.rawValue) else { continue }
            guard let value = valueNode.int("scores.\(dimension.rawValue)", in: 0...10) else {
                ok = false
                continue
            }
            switch dimension {
            case .economic: scores.economic = value
            case .social: scores.social = value
            case .development: scores.development = value
            }
        }
        return ok ? scores : nil
    }

    /// `texts.yaml`: the consent text with its version, and every screen text.
    static func readTexts(_ root: YAMLNode) -> ScreenTexts? {
        guard let top = root.mapping("texts.yaml", keys: ["consent", "texts"]) else { return nil }
        var consent: ScreenTexts.ConsentText?
        if let map = top.required("consent")?.mapping("consent", keys: ["version", "text"]) {
            let version = map.required("version")?.string("consent.version")
            let text = map.required("text")?.localized("consent.text")
            if let version, let text { consent = ScreenTexts.ConsentText(version: version, text: text) }
        }
        guard let textsNode = top.required("texts"), let entries = textsNode.entries("texts") else { return nil }
        var texts: [ScreenTexts.Key: LocalizedText] = [:]
        var present = Set<ScreenTexts.Key>()
        var complete = true
        for entry in entries {
            guard let key = ScreenTexts.Key(rawValue: entry.key) else {
                root.log.add(root.file, entry.line, "texts: unknown key '\(entry.key)'")
                complete = false
                continue
            }
            present.insert(key)
            if let text = entry.value.localized("texts.\(entry.key)") { texts[key] = text } else { complete = false }
        }
        // Keys added after the first release fall back to their built-in text.
        let missing = ScreenTexts.Key.allCases.filter { !present.contains($0) && $0.builtIn == nil }
        for key in missing {
            textsNode.problem("texts: missing '\(key.rawValue)' (needed in zh-Hans and en)")
        }
        guard let consent, complete, missing.isEmpty else { return nil }
        return ScreenTexts(consent: consent, texts: texts)
    }
}
