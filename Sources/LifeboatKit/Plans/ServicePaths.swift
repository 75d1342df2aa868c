/// Built-in placeholders: `{{SERVICE.path}}` is the main path of each configured service, so that a
/// plan or drill names where a service's data lives without repeating it (and keeps working when the
/// configuration moves it). Filled in when the file is loaded.
///
/// The main path is the first of a `files` source's paths, a `sqlite` source's database, a `command`
/// source's output file, a `postgres` source's data directory. With a drill target it is used under
/// the target: `"{{target}}{{pg.path}}"` in a plan, `"$LIFEBOAT_TARGET{{pg.path}}"` in a command.
enum ServicePaths {
    static func values(_ config: LifeboatConfig) -> [String: String] {
        Dictionary(uniqueKeysWithValues: config.services.map { ("\($0.name).path", path(of: $0.source)) })
    }

    static func path(of source: Source) -> String {
        switch source {
        case .files(let paths, _): paths.first ?? "/"
        case .sqlite(let path): path
        case .command(_, let output, _): output
        case .postgres(_, let dataDirectory, _, _): dataDirectory
        }
    }
}
