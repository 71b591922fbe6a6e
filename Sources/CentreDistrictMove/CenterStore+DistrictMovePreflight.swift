import CentreStore
import Foundation

extension CenterStore {
    /// What must hold before a street centre's data moves into the district,
    /// checked before anything is written: without `street`, no kiosk and no
    /// member of staff may lack one (a street-less account at the district
    /// sees every street's cases); and no account of this centre may share
    /// its name with another account at the district (one of them would
    /// sign in as the other, and the street's work would be theirs). An
    /// account moved by an earlier run (the same name, role and creation
    /// time) is not a clash: a move that was cut short is run again.
    func checkMove(into district: CenterStore, street: String?) async throws {
        let (kiosks, staff) = try await database.read { db in
            (try await db.fetchAll("SELECT code, street FROM kiosks ORDER BY code"),
             try await db.fetchAll("SELECT username, role, street, created_at FROM staff ORDER BY username"))
        }
        if street == nil {
            let kiosksWithout = kiosks.filter { ($0["street"] as String?) == nil }.map { $0["code"] as String }
            let staffWithout = staff.filter { ($0["street"] as String?) == nil }.map { $0["username"] as String }
            if !kiosksWithout.isEmpty || !staffWithout.isEmpty {
                let named = (kiosksWithout.isEmpty ? [] : ["kiosks " + kiosksWithout.prefix(5).joined(separator: ", ")])
                    + (staffWithout.isEmpty ? [] : ["staff " + staffWithout.prefix(5).joined(separator: ", ")])
                throw CenterError(description: """
                    refusing to move: \(named.joined(separator: " and ")) have no street, and at the district they would \
                    see and act on every street's cases; give --street CODE (the street this centre serves)
                    """)
            }
        }
        let held = try await district.database.read { db in
            try await db.fetchAll("SELECT username, role, street, created_at FROM staff WHERE username IN (\(staff.map { _ in "?" }.joined(separator: ", ")))",
                            staff.map { $0["username"] as String })
        }
        for theirs in held where !staff.isEmpty {
            let name: String = theirs["username"]
            guard let ours = staff.first(where: { ($0["username"] as String) == name }) else { continue }
            let sameAccount = (ours["role"] as String) == (theirs["role"] as String)
                && (ours["created_at"] as Int64) == (theirs["created_at"] as Int64)
            guard !sameAccount else { continue }
            // This centre's account as it would be at the district: with --street when it has none.
            func describe(_ row: SQLRow, street: String?) -> String {
                "\(row["role"] as String)" + (((row["street"] as String?) ?? street).map { " of street \($0)" } ?? " of the whole district")
            }
            throw CenterError(description: """
                refusing to move: staff account '\(name)' exists at the district (\(describe(theirs, street: nil))) and at \
                this centre (\(describe(ours, street: street))); they are different people's accounts. Rename this centre's one first \
                (kiosk-center staff add with a new name, then staff disable '\(name)'), and run the move again
                """)
        }
    }
}
