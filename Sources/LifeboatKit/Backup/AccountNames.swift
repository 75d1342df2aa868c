import Glibc

/// uid/gid → user/group names, looked up once each (restore maps names back where they exist).
final class AccountNames {
    private var users: [UInt32: String?] = [:]
    private var groups: [UInt32: String?] = [:]

    func user(_ uid: UInt32) -> String? {
        if let known = users[uid] { return known }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let name: String? = getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: entry.pw_name) : nil
        users[uid] = name
        return name
    }

    func group(_ gid: UInt32) -> String? {
        if let known = groups[gid] { return known }
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let name: String? = getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
            ? String(cString: entry.gr_name) : nil
        groups[gid] = name
        return name
    }
}
