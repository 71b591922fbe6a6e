import Foundation
import KioskDomain
import Testing
@testable import KioskConfig

/// The repository's own `kiosk-config/`, which ships to kiosks.
let shippedConfig = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("kiosk-config")

/// A writable copy of the shipped configuration, edited by one test.
func copyOfShippedConfig() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-config-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: shippedConfig, to: folder)
    return folder
}

/// Replaces `old` with `new` in one file of a configuration copy.
func edit(_ folder: URL, _ file: String, replacing old: String, with new: String) throws {
    let url = folder.appendingPathComponent(file)
    let text = try String(contentsOf: url, encoding: .utf8)
    #expect(text.contains(old), "fixture text missing from \(file)")
    try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
}

func problems(_ folder: URL) -> [ConfigProblem] {
    do {
        _ = try ConfigurationLoader.load(from: folder)
        return []
    } catch {
        return error.problems
    }
}

@Suite struct ShippedConfigurationTests {
    @Test func loadsWithoutProblems() throws {
        let config = try ConfigurationLoader.load(from: shippedConfig)
        #expect(config.identity.kioskCode == "JA0301")
        #expect(config.catalog.programmes.map(\.id) == [
            "children-youth", "empowerment", "elderly-wellbeing", "inclusion", "companionship",
        ])
        let services = config.catalog.programmes.flatMap(\.services)
        #expect(services.count >= 20)
        #expect(Set(services.map(\.kind)) == Set(ServiceKind.allCases))
        #expect(config.session.idleTimeout == .seconds(90))
        #expect(config.texts[.welcomeTitle, .chinese] == "社区救助自助申请")
        #expect(config.texts.consent.version == "2026-12-01")
        #expect(config.catalog.programmes.allSatisfy { $0.audience != nil && $0.description != nil })
        #expect(services.allSatisfy { $0.description != nil }, "every service can be learnt about at the kiosk")
        #expect(config.assistanceHotline.id == "citizen-service" && config.hotlines.first?.isAssistance == true)
    }

    /// texts.yaml is a conffile: a district's edited copy from 1.0 lacks the
    /// keys added since, and must still load, with the words we ship.
    @Test func aTextsYamlFromBeforeNewKeysLoadsWithTheShippedWords() throws {
        let folder = try copyOfShippedConfig()
        let url = folder.appendingPathComponent("texts.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let cut = try #require(text.range(of: "\n  # Added in 1.1"))
        try String(text[..<cut.lowerBound]).appending("\n").write(to: url, atomically: true, encoding: .utf8)
        let old = try ConfigurationLoader.load(from: folder)
        let shipped = try ConfigurationLoader.load(from: shippedConfig)
        let added = ScreenTexts.Key.allCases.filter { $0.builtIn != nil }
        #expect(added.count >= 20)
        for key in added {
            #expect(old.texts[key] == shipped.texts[key], "built-in \(key.rawValue) matches texts.yaml")
        }
    }

    /// A catalog without plain lines or descriptions (as in 1.0) still loads;
    /// a description in one language only is named.
    @Test func catalogDescriptionsAreOptionalButNeedBothLanguages() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "catalog.yaml", replacing: "    audience: {zh-Hans: 儿童和青少年, en: children and young people}\n", with: "")
        #expect(problems(folder).isEmpty)
        try edit(folder, "catalog.yaml",
                 replacing: "\n                   en: \"School bags, stationery and learning materials for children whose families cannot afford them.\"}}",
                 with: "}}")
        #expect(problems(folder).contains { $0.message.contains("service.description") && $0.message.contains("English") })
    }

    /// One programme's missing English is one problem, not also one for each of its services.
    @Test func aProgrammesOwnProblemIsNotRepeatedForItsServices() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "catalog.yaml",
                 replacing: "      en: Help with school, feelings and holiday care for children in families that are struggling.\n",
                 with: "")
        let found = problems(folder)
        #expect(found.count == 1 && found[0].message.contains("programme.description"), "\(found)")
    }

    @Test func onlyOneHotlineMayBeTheAssistanceLine() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "    label: {zh-Hans: 报警电话, en: Police}\n",
                 with: "    label: {zh-Hans: 报警电话, en: Police}\n    assistance: true\n")
        #expect(problems(folder).contains { $0.message.contains("only one may be the district's assistance hotline") })
    }

    @Test func everyEmergencyOptionOfTheDistrictForcesRed() throws {
        let config = try ConfigurationLoader.load(from: shippedConfig)
        let emergencies = config.assessment.questions.flatMap { question in
            question.options.filter(\.isEmergency).map { (question, $0) }
        }
        #expect(emergencies.map(\.1.id).sorted() == ["at-risk", "none-today", "none-tonight"])
        for (question, option) in emergencies {
            let answers = config.assessment.questions.map {
                AssessmentAnswer(questionID: $0.id, optionID: $0.id == question.id ? option.id : $0.options[0].id)
            }
            #expect(config.assessment.triage(answers).level == .red)
        }
        let calm = config.assessment.questions.map { AssessmentAnswer(questionID: $0.id, optionID: $0.options[0].id) }
        #expect(config.assessment.triage(calm).level == .green)
    }

    @Test func errorMessagesFillInLimits() throws {
        let config = try ConfigurationLoader.load(from: shippedConfig)
        let error = ValidationError(.householdSize, .outOfRange(1...20))
        #expect(config.texts.message(for: error, in: .english) == "Enter a number from 1 to 20")
        #expect(config.texts.message(for: ValidationError(.name, .tooLong(maxCharacters: 30)), in: .chinese)
            == "太长了，最多 30 个字")
    }
}

@Suite struct BrokenConfigurationTests {
    @Test func unknownKeyIsNamedWithItsLine() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "retention:\n", with: "retention:\n  purge_afterdays: 3\n")
        let found = problems(folder)
        let line = try String(contentsOf: folder.appendingPathComponent("kiosk.yaml"), encoding: .utf8)
            .components(separatedBy: "\n").firstIndex { $0.contains("purge_afterdays") }! + 1
        #expect(found.contains {
            $0.file.hasSuffix("kiosk.yaml") && $0.line == line && $0.message.contains("unknown key 'purge_afterdays'")
        })
    }

    @Test func missingEnglishTextIsNamed() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "texts.yaml", replacing: "review.submit: {zh-Hans: 提交申请, en: Send request}",
                 with: "review.submit: {zh-Hans: 提交申请}")
        #expect(problems(folder).contains {
            $0.file.hasSuffix("texts.yaml") && $0.message.contains("texts.review.submit") && $0.message.contains("English")
        })
    }

    @Test func missingTextKeyIsNamed() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "texts.yaml", replacing: "  nav.back: {zh-Hans: 返回, en: Back}\n", with: "")
        #expect(problems(folder).map(\.message).contains("texts: missing 'nav.back' (needed in zh-Hans and en)"))
    }

    @Test func duplicateServiceIDIsNamedWithBothLines() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "catalog.yaml", replacing: "{id: school-supplies,", with: "{id: homework-tutoring,")
        let found = problems(folder)
        #expect(found.contains { $0.message.hasPrefix("duplicate service id 'homework-tutoring' (first at line") })
    }

    @Test func thresholdsOutOfOrderAreRefused() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "assessment.yaml", replacing: "yellow_at: 6", with: "yellow_at: 14")
        #expect(problems(folder).contains {
            $0.file.hasSuffix("assessment.yaml") && $0.line == 7 && $0.message.contains("thresholds out of order")
        })
    }

    @Test func serviceOfNoProgrammeIsRefused() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "catalog.yaml", replacing: "{id: grief-counselling, programme: companionship,",
                 with: "{id: grief-counselling, programme: bereavement,")
        #expect(problems(folder).contains {
            $0.message == "service 'grief-counselling' points at programme 'bereavement', which is not listed"
        })
    }

    @Test func yamlSyntaxErrorsAndMissingFilesAreNamed() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "  code: JA0301", with: "  code: [JA0301")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("catalog.yaml"))
        let found = problems(folder)
        #expect(found.contains { $0.file.hasSuffix("kiosk.yaml") && $0.message.hasPrefix("YAML syntax") && $0.line > 1 })
        #expect(found.contains { $0.file.hasSuffix("catalog.yaml") && $0.message.contains("cannot read file") })
    }

    @Test func badValuesAreNamed() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "timezone: Asia/Shanghai", with: "timezone: Mars/Olympus")
        try edit(folder, "kiosk.yaml", replacing: "code: JA0301", with: "code: ja-301")
        try edit(folder, "kiosk.yaml", replacing: "idle_timeout_seconds: 90", with: "idle_timeout_seconds: ninety")
        let messages = problems(folder).map(\.message)
        #expect(messages.contains("kiosk.timezone 'Mars/Olympus' is not a known time zone"))
        #expect(messages.contains("kiosk.code 'ja-301' must be 2 to 12 upper-case letters and digits"))
        #expect(messages.contains("session.idle_timeout_seconds must be a whole number"))
    }

    @Test func unreachableRedThresholdIsRefused() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "assessment.yaml", replacing: "red_at: 12", with: "red_at: 900")
        #expect(problems(folder).contains { $0.message.contains("can never be reached") })
    }
}

/// kiosk.yaml's `display` section: the screen's font, for `kioskd display`.
@Suite struct DisplaySettingsTests {
    @Test func theShippedScreenUsesALargeChineseCapableFont() throws {
        let config = try ConfigurationLoader.load(from: shippedConfig)
        #expect(config.display.font.contains("lang=zh-cn"))
        #expect(config.display.fontSize >= 20, "large for older residents")
    }

    @Test func aKioskYamlFromBeforeTheGraphicalScreenGetsTheStandardFont() throws {
        let folder = try copyOfShippedConfig()
        let url = folder.appendingPathComponent("kiosk.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        try String(text[..<(try #require(text.range(of: "\ndisplay:"))).lowerBound]).appending("\n")
            .write(to: url, atomically: true, encoding: .utf8)
        #expect(try ConfigurationLoader.load(from: folder).display == .standard)
    }

    /// Without `batch_size` (a kiosk.yaml from before batches) the standard
    /// batch; outside 1 to 64 a problem with its line.
    @Test func theBatchSizeHasADefaultAndLimits() throws {
        #expect(try ConfigurationLoader.load(from: shippedConfig).forwarder.batchSize == ForwarderSettings.standardBatchSize)
        let before = try copyOfShippedConfig()
        try edit(before, "kiosk.yaml", replacing: "  batch_size: 32\n", with: "")
        #expect(try ConfigurationLoader.load(from: before).forwarder.batchSize == ForwarderSettings.standardBatchSize)
        let wrong = try copyOfShippedConfig()
        try edit(wrong, "kiosk.yaml", replacing: "batch_size: 32", with: "batch_size: 65")
        let found = problems(wrong)
        #expect(found.contains { $0.message.contains("forwarder.batch_size must be between 1 and 64") && $0.line > 0 }, "\(found)")
    }

    @Test func aSizeOutOfRangeOrAFontWithASizeIsNamedWithItsLine() throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "font_size: 24", with: "font_size: 200")
        try edit(folder, "kiosk.yaml", replacing: #"font: "monospace:lang=zh-cn""#, with: #"font: "monospace:size=30""#)
        let found = problems(folder)
        #expect(found.contains { $0.message.contains("display.font_size") && $0.line > 0 }, "\(found)")
        #expect(found.contains { $0.message.contains("display.font must be one fontconfig pattern") }, "\(found)")
    }
}

/// Plain HTTP is allowed only to this machine, and "this machine" is an
/// address, not a name that starts like one.
@Suite struct LoopbackCentreTests {
    @Test(arguments: ["http://127.0.0.1:8740", "http://127.3.2.1:8740", "http://localhost:8740", "http://[::1]:8740"])
    func plainHTTPToThisMachineIsAllowed(url: String) throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "centre_url: http://127.0.0.1:8740", with: "centre_url: \(url)")
        #expect(problems(folder).isEmpty, "\(url)")
    }

    @Test(arguments: ["http://127.0.0.1.attacker.example/", "http://127.example.org:8740", "http://10.0.0.5:8740",
                      "http://[::ffff:10.0.0.1]:8740"])
    func plainHTTPToANameThatLooksLoopbackIsRefused(url: String) throws {
        let folder = try copyOfShippedConfig()
        try edit(folder, "kiosk.yaml", replacing: "centre_url: http://127.0.0.1:8740", with: "centre_url: \(url)")
        #expect(problems(folder).contains { $0.message.contains("plain HTTP") }, "\(url)")
    }
}
