import Foundation
import FluentKit
import FluentSQL
import SQLKit

/// 18: an attachment's bytes in pieces of 256 KB (`attachment_chunks`), each sealed with the
/// case key and bound to its attachment, its place and the number of pieces: a file is received,
/// stored, sent and zipped without ever being whole in memory. `case_attachments.chunks` says how
/// many; 0 marks a file stored whole in `case_attachments.data` by an earlier release, which is
/// still read as it is.
package struct CreateAttachmentChunks: ShippedMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("case_attachments").field("chunks", .int, .required, .sql(.default(0))).update()
        try await database.schema("attachment_chunks")
            .id()
            .field("attachment_id", .uuid, .required, .references("case_attachments", "id", onDelete: .cascade))
            .field("case_id", .uuid, .required, .references("cases", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("data", .data, .required)
            .unique(on: "attachment_id", "position")
            .create()
        // A case's pieces go with it (`CaseWriter.destroy`).
        try await (database as! any SQLDatabase).raw(
            "CREATE INDEX attachment_chunks_case ON attachment_chunks (case_id)"
        ).run()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("attachment_chunks").delete()
        try await database.schema("case_attachments").deleteField("chunks").update()
    }
}
