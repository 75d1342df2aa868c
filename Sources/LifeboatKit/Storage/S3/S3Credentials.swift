import Foundation

/// An AWS access key pair, with an optional session token, and where it came from.
///
/// The secret and the token never leave this value in printed form: `description`, `debugDescription`
/// and the mirror `dump` uses show only the last four characters of the key ID and the source.
public struct S3Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// Where the keys were found ("environment variables", "/home/me/.aws/credentials [default]"), for
    /// messages: it tells the user which keys to fix without showing them.
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "explicit") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.source = source
    }

    public var description: String {
        let tail = accessKeyID.count > 4 ? "…" + accessKeyID.suffix(4) : "…"
        let token = sessionToken == nil ? "" : ", session token: <redacted>"
        return "S3Credentials(access key: \(tail), secret: <redacted>\(token), from \(source))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["redacted": description])
    }
}

extension S3Credentials {
    /// Finds credentials the way the AWS CLI does, minus the config-file and instance-metadata providers.
    ///
    /// 1. A `profile` passed explicitly reads that profile from the shared credentials file, even when
    ///    `AWS_ACCESS_KEY_ID` is set: someone who names a profile means it (the AWS CLI's `--profile`).
    /// 2. Otherwise `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`).
    /// 3. Otherwise the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
    ///    `$HOME/.aws/credentials`), profile `AWS_PROFILE`, else `default`.
    ///
    /// Throws a `.configuration` error naming every place it looked and how to provide keys.
    public static func resolve(environment: [String: String], profile: String? = nil) throws -> S3Credentials {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        var looked = [String]()
        if profile == nil {
            switch (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY")) {
            case let (id?, secret?):
                return S3Credentials(
                    accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                    source: "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
                )
            case (_?, nil):
                throw LifeboatError(.configuration, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: export both, or unset AWS_ACCESS_KEY_ID to use the shared credentials file.")
            case (nil, _?):
                throw LifeboatError(.configuration, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: export both, or unset AWS_SECRET_ACCESS_KEY to use the shared credentials file.")
            case (nil, nil):
                looked.append("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (not set)")
            }
        }

        let profileName = profile ?? value("AWS_PROFILE") ?? "default"
        let path: String
        if let file = value("AWS_SHARED_CREDENTIALS_FILE") {
            path = file
        } else if let home = value("HOME") {
            path = home + "/.aws/credentials"
        } else {
            path = NSHomeDirectory() + "/.aws/credentials"
        }

        guard let data = FileManager.default.contents(atPath: path) else {
            looked.append("shared credentials file \(path) (\(FileManager.default.fileExists(atPath: path) ? "unreadable" : "not found"))")
            throw missing(looked: looked, profile: profileName, path: path)
        }
        let file = try SharedCredentialsFile(parsing: String(decoding: data, as: UTF8.self), path: path)
        guard let section = file.profiles[profileName] else {
            looked.append("shared credentials file \(path): no [\(profileName)] profile (it has: \(file.profiles.keys.sorted().joined(separator: ", ")))")
            throw missing(looked: looked, profile: profileName, path: path)
        }
        guard let id = section.values["aws_access_key_id"], !id.isEmpty else {
            throw LifeboatError(.configuration, "\(path), profile [\(profileName)] (line \(section.line)) has no aws_access_key_id: add aws_access_key_id and aws_secret_access_key to it.")
        }
        guard let secret = section.values["aws_secret_access_key"], !secret.isEmpty else {
            throw LifeboatError(.configuration, "\(path), profile [\(profileName)] (line \(section.line)) has no aws_secret_access_key: add it next to aws_access_key_id.")
        }
        let token = section.values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, source: "\(path) [\(profileName)]")
    }

    private static func missing(looked: [String], profile: String, path: String) -> LifeboatError {
        LifeboatError(
            .configuration,
            "No S3 credentials found. Looked in: \(looked.joined(separator: "; ")). "
                + "Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [\(profile)] section with "
                + "aws_access_key_id and aws_secret_access_key to \(path) (or point AWS_SHARED_CREDENTIALS_FILE at such a file).",
            details: looked
        )
    }
}
