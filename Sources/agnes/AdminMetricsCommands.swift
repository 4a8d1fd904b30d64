// `agnes admin metrics import | export | validate`: metric definitions as upstream's YAML files
// (`<dir>/<category>/<name>.yml`), over HTTP.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct AdminMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Import, export and validate metric definitions (YAML).",
        discussion: """
            Files are <dir>/<category>/<name>.yml with name, display_name, category, description, type, unit, grain, \
            tables, expression, time_column, dimensions, filters, synonyms, notes and sql. The folder is the default category.
            Examples: agnes admin metrics import docs/metrics · agnes admin metrics export ./metrics · agnes admin metrics validate
            """,
        subcommands: [Import.self, Export.self, Validate.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Create or replace metrics from a YAML file or folder.",
            discussion: "Example: agnes admin metrics import docs/metrics")
        @Argument(help: "A .yml file, or a folder of <category>/<name>.yml files.") var path: String

        func run() async throws {
            try await reporting {
                let root = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else { throw ClientError(.usage, "no such file or folder: \(path)") }
                var files: [MetricFile] = []
                if isDirectory.boolValue {
                    let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
                    while let file = walker?.nextObject() as? URL {
                        // Upstream's index file lists the metrics and is not one.
                        guard ["yml", "yaml"].contains(file.pathExtension), file.deletingPathExtension().lastPathComponent != "metrics" else { continue }
                        let relative = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
                        files.append(MetricFile(path: relative, content: try String(contentsOf: file, encoding: .utf8)))
                    }
                } else {
                    files.append(MetricFile(path: root.lastPathComponent, content: try String(contentsOf: root, encoding: .utf8)))
                }
                guard !files.isEmpty else { throw ClientError(.usage, "no .yml files under \(path)") }
                let imported = try await signedInAPI().importMetrics(files.sorted { $0.path < $1.path })
                print("Imported \(imported.count) metrics from \(files.count) files.")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write every metric as <dir>/<category>/<name>.yml.",
            discussion: "Example: agnes admin metrics export ./metrics")
        @Argument(help: "The folder to write into (created if missing).") var directory = "./metrics"

        func run() async throws {
            try await reporting {
                let files = try await signedInAPI().exportMetrics().files
                let root = URL(fileURLWithPath: (directory as NSString).expandingTildeInPath)
                for file in files where !file.path.hasPrefix("/") && !file.path.split(separator: "/").contains("..") {
                    let target = root.appendingPathComponent(file.path)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(file.content.utf8).write(to: target, options: .atomic)
                }
                print("Exported \(files.count) metrics to \(root.path).")
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate", abstract: "Check every metric's SQL against the query engine (EXPLAIN; nothing runs).",
            discussion: "Example: agnes admin metrics validate --json")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let validation = try await signedInAPI().validateMetrics()
                if json { try printJSON(validation) } else {
                    for result in validation.results {
                        print("\(result.ok ? "ok  " : "FAIL") \(result.id)\(result.ok ? "" : ": \(result.error ?? "")")")
                    }
                }
                if validation.failed > 0 { throw ExitCode(1) }
            }
        }
    }
}
