import Glibc
import Synchronization

/// The modes of what Lifeboat creates in a repository, and of its catalog: only the owner by default
/// (files 0600, folders 0700), since backups hold everything a service holds — secrets included. With
/// `group_access: read` the group may read too (0640, 0750), for an audit or monitoring account.
/// Process-wide: set when a workspace opens (one configuration per process).
enum RepositoryPermissions {
    private static let groupReadable = Atomic<Bool>(false)

    static func set(groupReadable: Bool) { self.groupReadable.store(groupReadable, ordering: .relaxed) }

    static var file: mode_t { groupReadable.load(ordering: .relaxed) ? 0o640 : 0o600 }
    static var folder: mode_t { groupReadable.load(ordering: .relaxed) ? 0o750 : 0o700 }
}
