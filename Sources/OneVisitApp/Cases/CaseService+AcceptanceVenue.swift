import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

extension CaseService {
    /// Records where `c` is being accepted (R11.3.4 a, 集中受理率): online for an online
    /// application, otherwise by the kind of the window(s) at which `actor` holds a post (A or B
    /// holder, `posts.window_id` → `windows.kind`); nil when the actor sits at no window (the
    /// jobs' deemed acceptance). Written in the step's transaction by its own statement, as
    /// `save` writes a fixed list of columns; the KPI counters read it from `c`.
    static func recordAcceptanceVenue(_ c: inout CaseRow, actor: Principal, on tx: any Database) async throws {
        var kinds: [String] = []
        if c.channel != .online {
            let sql = tx.sql
            let rows = try await sql.raw("""
                SELECT w.kind AS kind FROM posts p JOIN windows w ON w.id = p.window_id
                WHERE p.holder_a_id = \(bind: actor.accountID) OR p.holder_b_id = \(bind: actor.accountID)
                """).all()
            kinds = try rows.map { try $0.decode(column: "kind", as: String.self) }
        }
        c.acceptedVia = AcceptanceVenue.of(channel: c.channel, windowKinds: kinds)
        try await tx.sql.raw("UPDATE cases SET accepted_via = \(bind: c.acceptedVia?.rawValue) WHERE id = \(bind: c.id)").run()
    }
}
