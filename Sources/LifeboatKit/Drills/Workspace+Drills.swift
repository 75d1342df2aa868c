import Foundation

extension Workspace {
    /// Where drills are looked up by name: `Drills/` beside the configuration file.
    public var drillsFolder: String { config.directory + "/Drills" }

    /// The drill files (`*.yaml`, `*.yml`) of a folder, sorted; none when it does not exist.
    public func drillFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted().map { "\(folder)/\($0)" }
    }

    /// A drill by file path, by file name in `folder` (`files-lost` for `files-lost.yaml`) or by its `name:`.
    public func loadDrill(_ reference: String, folder: String) throws -> Drill {
        if FileManager.default.fileExists(atPath: reference) && (reference.contains("/") || reference.hasSuffix(".yaml") || reference.hasSuffix(".yml")) {
            return try Drill.load(file: reference, config: config)
        }
        let files = drillFiles(in: folder)
        if let file = files.first(where: { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension == reference }) {
            return try Drill.load(file: file, config: config)
        }
        var names: [String] = []
        var invalid: [String] = []
        for file in files {
            do {
                let drill = try Drill.load(file: file, config: config)
                if drill.name == reference { return drill }
                names.append(drill.name)
            } catch {
                invalid.append("\(error)")
            }
        }
        var message = "no drill \(reference) in \(folder)"
            + (names.isEmpty ? " (it has no valid drill files); pass a drill file's path" : "; drills there: \(names.joined(separator: ", "))")
        if !invalid.isEmpty { message += "; files that could not be read (fix them, or pass a drill file's path):\n" + invalid.joined(separator: "\n") }
        throw LifeboatError(.usage, message)
    }

    /// Drills with a cadence whose latest slot (UTC) came after their last run, or that never ran.
    /// Files that do not load are returned as errors, so that `run-due` can report them.
    public func dueDrills(in folder: String, now: Date) -> (due: [Drill], invalid: [LifeboatError]) {
        var due: [Drill] = [], invalid: [LifeboatError] = []
        for file in drillFiles(in: folder) {
            do {
                let drill = try Drill.load(file: file, config: config)
                guard let cadence = drill.cadence, let slot = cadence.previous(atOrBefore: now, in: TimeZone(identifier: "UTC")!) else { continue }
                if lastRun(of: drill).map({ $0 < slot }) ?? true { due.append(drill) }
            } catch let error as LifeboatError {
                invalid.append(error)
            } catch {
                invalid.append(LifeboatError(.configuration, "\(file): \(error)"))
            }
        }
        return (due, invalid)
    }

    /// The next time a drill is due (UTC), after its last run.
    public func nextDrill(_ drill: Drill, now: Date) -> Date? {
        guard let cadence = drill.cadence else { return nil }
        guard let last = lastRun(of: drill) else { return now }
        return cadence.next(after: last, in: TimeZone(identifier: "UTC")!)
    }

    /// When the drill last started, from the catalog.
    private func lastRun(of drill: Drill) -> Date? {
        (try? catalog.drills(name: drill.name, limit: 1))?.first.flatMap { Timestamp.parse($0.started) }
    }
}
