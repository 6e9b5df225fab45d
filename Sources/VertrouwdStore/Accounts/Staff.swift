import Foundation

/// A logged-in staff member: the account and the session it acts in.
package struct Staff: Sendable {
    package let user: User
    package let session: StaffSession
    /// Known when the value is made: an account read from the database always has its id.
    package let userID: UUID

    package init(user: User, session: StaffSession) throws {
        self.user = user
        self.session = session
        self.userID = try user.requireID()
    }
}
