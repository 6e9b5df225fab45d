import Foundation

/// A logged-in staff member: the account and the session it acts in.
package struct Staff: Sendable {
    package let user: User
    package let session: StaffSession
    package var userID: UUID { user.id! }

    package init(user: User, session: StaffSession) {
        self.user = user
        self.session = session
    }
}
