import Foundation
import KioskDomain

extension ConfigurationLoader {
    struct KioskFile {
        var identity: KioskIdentity
        var centre: Centre
        var hotlines: [Hotline]
        var areas: [Area]
        var session: SessionSettings
        var retention: RetentionPolicy
        var credentials: CredentialNames
        var receipt: ReceiptSettings
        var printer: PrinterSettings
        var forwarder: ForwarderSettings
        var display: DisplaySettings
    }

    static func readKiosk(_ root: YAMLNode) -> KioskFile? {
        guard let top = root.mapping("kiosk.yaml", keys: [
            "kiosk", "centre", "hotlines", "areas", "session", "retention", "credentials", "receipt", "printer",
            "forwarder", "display",
        ]) else { return nil }
        let areas = top.required("areas").flatMap(readAreas)
        let identity = top.required("kiosk").flatMap { readIdentity($0, areas: areas ?? []) }
        let centre = top.required("centre").flatMap(readCentre)
        let hotlines = top.required("hotlines").flatMap(readHotlines)
        let session = top.required("session").flatMap(readSession)
        let retention = top.required("retention").flatMap(readRetention)
        let credentials = top.required("credentials").flatMap(readCredentials)
        let receipt = top.required("receipt").flatMap(readReceipt)
        let printer = top.required("printer").flatMap(readPrinter)
        let forwarder = top.required("forwarder").flatMap(readForwarder)
        // Optional: a kiosk.yaml from before the graphical screen keeps working.
        let display: DisplaySettings? = if let node = top.optional("display") { readDisplay(node) } else { .standard }
        guard let identity, let centre, let hotlines, let areas, let session, let retention, let credentials,
              let receipt, let printer, let forwarder, let display
        else { return nil }
        return KioskFile(identity: identity, centre: centre, hotlines: hotlines, areas: areas, session: session,
                         retention: retention, credentials: credentials, receipt: receipt, printer: printer,
                         forwarder: forwarder, display: display)
    }

    static func readIdentity(_ node: YAMLNode, areas: [Area]) -> KioskIdentity? {
        guard let map = node.mapping("kiosk", keys: [
            "code", "district_code", "district_name", "street", "community", "timezone",
        ]) else { return nil }
        var code = map.required("code")?.string("kiosk.code")
        if let value = code, !ReceiptNumber.isValidKioskCode(value) {
            map.values["code"]?.problem("kiosk.code '\(value)' must be 2 to 12 upper-case letters and digits")
            code = nil
        }
        let districtCode = map.required("district_code")?.identifier("kiosk.district_code")
        let districtName = map.required("district_name")?.localized("kiosk.district_name")
        let street = map.required("street")?.identifier("kiosk.street")
        let community = map.required("community")?.identifier("kiosk.community")
        var timeZone: TimeZone?
        if let zoneNode = map.required("timezone"), let name = zoneNode.string("kiosk.timezone") {
            timeZone = TimeZone(identifier: name)
            if timeZone == nil { zoneNode.problem("kiosk.timezone '\(name)' is not a known time zone") }
        }
        if let street, let community, !areas.isEmpty {
            if let area = areas.first(where: { $0.code == street }) {
                if !area.communities.contains(where: { $0.code == community }) {
                    map.values["community"]?.problem("kiosk.community '\(community)' is not in street '\(street)' under areas")
                }
            } else {
                map.values["street"]?.problem("kiosk.street '\(street)' is not listed under areas")
            }
        }
        guard let code, let districtCode, let districtName, let street, let community, let timeZone else { return nil }
        return KioskIdentity(kioskCode: code, districtCode: districtCode, districtName: districtName,
                             streetCode: street, communityCode: community, timeZone: timeZone)
    }

    static func readCentre(_ node: YAMLNode) -> Centre? {
        guard let map = node.mapping("centre", keys: ["name", "short_name", "address", "hours"]) else { return nil }
        let name = map.required("name")?.localized("centre.name")
        let shortName = map.optional("short_name").map { $0.localized("centre.short_name") }
        let address = map.required("address")?.localized("centre.address")
        let hours = map.required("hours")?.localized("centre.hours")
        guard let name, let address, let hours, shortName != .some(nil) else { return nil }
        return Centre(name: name, shortName: shortName ?? nil, address: address, hours: hours)
    }

    static func readHotlines(_ node: YAMLNode) -> [Hotline]? {
        guard let list = node.sequence("hotlines") else { return nil }
        if list.isEmpty { node.problem("hotlines: at least one number is needed for the emergency screen") }
        var ids = UniqueIDs("hotline")
        var hotlines = list.compactMap { item -> Hotline? in
            guard let map = item.mapping("hotline", keys: ["id", "number", "label", "assistance"]) else { return nil }
            let id = map.required("id")?.identifier("hotline.id")
            var number = map.required("number")?.string("hotline.number")
            if let value = number, value.isEmpty || !value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) {
                map.values["number"]?.problem("hotline.number '\(value)' must be digits and '-' only")
                number = nil
            }
            let label = map.required("label")?.localized("hotline.label")
            let assistance = map.optional("assistance").map { $0.bool("hotline.assistance") } ?? false
            if let id { ids.insert(id, at: item) }
            guard let id, let number, let label, let assistance else { return nil }
            return Hotline(id: id, number: number, label: label, isAssistance: assistance)
        }
        if hotlines.filter(\.isAssistance).count > 1 {
            node.problem("hotlines: only one may be the district's assistance hotline (assistance: true)")
            return nil
        }
        // The district's assistance line leads: residents in hardship call it first.
        if let index = hotlines.firstIndex(where: \.isAssistance) { hotlines.insert(hotlines.remove(at: index), at: 0) }
        return hotlines.count == list.count && !list.isEmpty ? hotlines : nil
    }

    package static func readAreas(_ node: YAMLNode) -> [Area]? {
        guard let list = node.sequence("areas") else { return nil }
        if list.isEmpty { node.problem("areas: at least one street is needed for the address field") }
        var streetIDs = UniqueIDs("street")
        let areas = list.compactMap { item -> Area? in
            guard let map = item.mapping("area", keys: ["code", "name", "communities"]) else { return nil }
            let code = map.required("code")?.identifier("area.code")
            let name = map.required("name")?.localized("area.name")
            if let code { streetIDs.insert(code, at: item) }
            var communityIDs = UniqueIDs("community")
            let list = map.required("communities")?.sequence("area.communities") ?? []
            let communities = list.compactMap { entry -> Area.Community? in
                guard let map = entry.mapping("community", keys: ["code", "name"]) else { return nil }
                let code = map.required("code")?.identifier("community.code")
                let name = map.required("name")?.localized("community.name")
                if let code { communityIDs.insert(code, at: entry) }
                guard let code, let name else { return nil }
                return Area.Community(code: code, name: name)
            }
            if list.isEmpty { item.problem("area: at least one community is needed") }
            guard let code, let name, communities.count == list.count, !list.isEmpty else { return nil }
            return Area(code: code, name: name, communities: communities)
        }
        return areas.count == list.count && !list.isEmpty ? areas : nil
    }

    static func readSession(_ node: YAMLNode) -> SessionSettings? {
        guard let map = node.mapping("session", keys: [
            "idle_timeout_seconds", "countdown_seconds", "receipt_screen_seconds",
        ]) else { return nil }
        let idle = map.required("idle_timeout_seconds")?.int("session.idle_timeout_seconds", in: 10...900)
        let countdown = map.required("countdown_seconds")?.int("session.countdown_seconds", in: 3...60)
        let receipt = map.required("receipt_screen_seconds")?.int("session.receipt_screen_seconds", in: 5...600)
        if let idle, let countdown, countdown >= idle {
            map.values["countdown_seconds"]?.problem("session.countdown_seconds must be less than idle_timeout_seconds")
            return nil
        }
        guard let idle, let countdown, let receipt else { return nil }
        return SessionSettings(idleTimeout: .seconds(idle), countdown: .seconds(countdown),
                               receiptScreen: .seconds(receipt))
    }

    static func readRetention(_ node: YAMLNode) -> RetentionPolicy? {
        guard let map = node.mapping("retention", keys: ["purge_after_days"]) else { return nil }
        guard let days = map.required("purge_after_days")?.int("retention.purge_after_days", in: 1...3650)
        else { return nil }
        return RetentionPolicy(purgeAfterDays: days)
    }

    static func readCredentials(_ node: YAMLNode) -> CredentialNames? {
        guard let map = node.mapping("credentials", keys: [
            "seal_key", "receipt_key", "centre_secret", "centre_public_key",
        ]) else { return nil }
        // seal_key: only older kiosks have one (see CredentialNames.legacySealKey).
        let seal = map.values["seal_key"].map { $0.string("credentials.seal_key") } ?? "seal.key"
        let receipt = map.required("receipt_key")?.string("credentials.receipt_key")
        let centre = map.required("centre_secret")?.string("credentials.centre_secret")
        let publicKey = map.values["centre_public_key"].map { $0.string("credentials.centre_public_key") }
            ?? "centre-public.key"
        guard let seal, let receipt, let centre, let publicKey else { return nil }
        return CredentialNames(legacySealKey: seal, receiptKey: receipt, centreSecret: centre, centrePublicKey: publicKey)
    }
}

extension ConfigurationLoader {
    static func readReceipt(_ node: YAMLNode) -> ReceiptSettings? {
        guard let map = node.mapping("receipt", keys: [
            "roll_width_mm", "font", "qr_error_correction", "url_prefix", "centre_copy",
        ]) else { return nil }
        var width = map.required("roll_width_mm")?.int("receipt.roll_width_mm", in: 58...80)
        if let value = width, value != 58, value != 80 {
            map.values["roll_width_mm"]?.problem("receipt.roll_width_mm must be 58 or 80, not \(value)")
            width = nil
        }
        let font = map.required("font")?.string("receipt.font")
        var level = map.required("qr_error_correction")?.string("receipt.qr_error_correction")
        if let value = level, !["L", "M", "Q", "H"].contains(value) {
            map.values["qr_error_correction"]?.problem("receipt.qr_error_correction must be L, M, Q or H, not '\(value)'")
            level = nil
        }
        var prefix: String? = ""
        if let node = map.optional("url_prefix"), case let .scalar(scalar) = node.node, !scalar.string.isEmpty {
            prefix = node.string("receipt.url_prefix")
            if let value = prefix, !(value.hasPrefix("https://") || value.hasPrefix("http://")) || value.utf8.count > 60
                || value.contains(where: { $0 == " " }) {
                node.problem("receipt.url_prefix must be an http(s) URL of at most 60 characters without spaces")
                prefix = nil
            }
        }
        let centreCopy = map.required("centre_copy")?.bool("receipt.centre_copy")
        guard let width, let font, let level, let prefix, let centreCopy else { return nil }
        return ReceiptSettings(rollWidthMillimetres: width, fontFamily: font, qrErrorCorrection: level,
                               urlPrefix: prefix, printsCentreCopy: centreCopy)
    }

    static func readPrinter(_ node: YAMLNode) -> PrinterSettings? {
        guard let map = node.mapping("printer", keys: ["queue", "job_timeout_seconds"]) else { return nil }
        var queue = map.required("queue")?.string("printer.queue")
        if let value = queue, value.contains(where: { $0 == " " || $0 == "/" || $0 == "#" }) || value.count > 127 {
            map.values["queue"]?.problem("printer.queue '\(value)' is not a CUPS queue name (no spaces, '/' or '#')")
            queue = nil
        }
        let timeout = map.required("job_timeout_seconds")?.int("printer.job_timeout_seconds", in: 10...3600)
        guard let queue, let timeout else { return nil }
        return PrinterSettings(queue: queue, jobTimeout: .seconds(timeout))
    }
}

extension ConfigurationLoader {
    static func readDisplay(_ node: YAMLNode) -> DisplaySettings? {
        guard let map = node.mapping("display", keys: ["font", "font_size"]) else { return nil }
        var font = map.required("font")?.string("display.font")
        // foot reads the font as `pattern:size=N`; a comma would start a fallback list.
        if let value = font, value.isEmpty || value.contains(",") || value.contains("size=") {
            map.values["font"]?.problem("display.font must be one fontconfig pattern without a size, e.g. 'monospace:lang=zh-cn'")
            font = nil
        }
        let size = map.required("font_size")?.int("display.font_size", in: DisplaySettings.fontSizes)
        guard let font, let size else { return nil }
        return DisplaySettings(font: font, fontSize: size)
    }
}

extension ConfigurationLoader {
    static func readForwarder(_ node: YAMLNode) -> ForwarderSettings? {
        guard let map = node.mapping("forwarder", keys: [
            "centre_url", "concurrency", "batch_size", "timeout_seconds", "backoff_initial_seconds", "backoff_max_seconds",
            "heartbeat_seconds", "ca_bundle", "allow_plain_http",
        ]) else { return nil }
        let concurrency = map.required("concurrency")?.int("forwarder.concurrency", in: 1...64)
        let batchSize = map.optional("batch_size").map { $0.int("forwarder.batch_size", in: ForwarderSettings.batchSizes) }
        let timeout = map.required("timeout_seconds")?.int("forwarder.timeout_seconds", in: 1...300)
        let initial = map.required("backoff_initial_seconds")?.int("forwarder.backoff_initial_seconds", in: 1...3600)
        let most = map.required("backoff_max_seconds")?.int("forwarder.backoff_max_seconds", in: 1...86_400)
        let heartbeat = map.required("heartbeat_seconds")?.int("forwarder.heartbeat_seconds", in: 5...3600)
        let plain = map.required("allow_plain_http")?.bool("forwarder.allow_plain_http")
        var bundle: String?
        if let bundleNode = map.optional("ca_bundle"), case let .scalar(scalar) = bundleNode.node, !scalar.string.isEmpty {
            bundle = scalar.string
            if !FileManager.default.isReadableFile(atPath: scalar.string) {
                bundleNode.problem("forwarder.ca_bundle '\(scalar.string)' is not a readable file")
            }
        }
        if let initial, let most, initial > most {
            map.values["backoff_max_seconds"]?.problem("forwarder.backoff_max_seconds must not be below backoff_initial_seconds")
            return nil
        }
        var url: URL?
        if let urlNode = map.required("centre_url"), let text = urlNode.string("forwarder.centre_url") {
            if let parsed = URL(string: text), let scheme = parsed.scheme, let host = parsed.host, !host.isEmpty,
               scheme == "https" || scheme == "http" {
                let loopback = LoopbackAddress.isLoopback(host: host)
                if scheme == "http", !loopback, plain != true {
                    urlNode.problem("forwarder.centre_url uses plain HTTP to \(host); use https, or set allow_plain_http: true on a closed network")
                } else {
                    url = parsed
                }
            } else {
                urlNode.problem("forwarder.centre_url '\(text)' is not an http(s) URL")
            }
        }
        guard let url, let concurrency, let timeout, let initial, let most, let heartbeat, let plain,
              let batchSize = batchSize ?? ForwarderSettings.standardBatchSize else { return nil }
        return ForwarderSettings(centreURL: url, concurrency: concurrency, batchSize: batchSize, timeout: .seconds(timeout),
                                 backoffInitial: .seconds(initial), backoffMax: .seconds(most),
                                 heartbeatInterval: .seconds(heartbeat), caBundle: bundle, allowsPlainHTTP: plain)
    }
}
