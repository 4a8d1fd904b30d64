// `agnes admin metrics import | export | validate`: metric definitions as upstream's YAML files
// (`<dir>/<category>/<name>.yml`), over HTTP.
import AgnesClient
import ArgumentParser
import Foundation

struct AdminMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Import, export and validate metric definitions (YAML).",
        discussion: """
            Files are <dir>/<category>/<name>.yml with name, display_name, category, description, type, unit, grain,
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
                var files: [[String: String]] = []
                if isDirectory.boolValue {
                    let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
                    while let file = walker?.nextObject() as? URL {
                        // Upstream's index file lists the metrics and is not one.
                        guard ["yml", "yaml"].contains(file.pathExtension), file.deletingPathExtension().lastPathComponent != "metrics" else { continue }
                        let relative = String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
                        files.append(["path": relative, "content": try String(contentsOf: file, encoding: .utf8)])
                    }
                } else {
                    files.append(["path": root.lastPathComponent, "content": try String(contentsOf: root, encoding: .utf8)])
                }
                guard !files.isEmpty else { throw ClientError(.usage, "no .yml files under \(path)") }
                let reply = try await signedInAPI().call(.POST, "/api/admin/metrics/import", json: ["files": files.sorted { $0["path"]! < $1["path"]! }])
                print("Imported \(text(reply.object["count"]) ?? "0") metrics from \(files.count) files.")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write every metric as <dir>/<category>/<name>.yml.",
            discussion: "Example: agnes admin metrics export ./metrics")
        @Argument(help: "The folder to write into (created if missing).") var directory = "./metrics"

        func run() async throws {
            try await reporting {
                let reply = try await signedInAPI().call(.GET, "/api/admin/metrics/export")
                let root = URL(fileURLWithPath: (directory as NSString).expandingTildeInPath)
                let files = reply.object["files"] as? [[String: Any]] ?? []
                for file in files {
                    guard let path = file["path"] as? String, let content = file["content"] as? String,
                          !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { continue }
                    let target = root.appendingPathComponent(path)
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(content.utf8).write(to: target, options: .atomic)
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
                let reply = try await signedInAPI().call(.POST, "/api/admin/metrics/validate", timeout: .minutes(2))
                let results = reply.object["results"] as? [[String: Any]] ?? []
                if json { printRaw(reply) } else {
                    for result in results {
                        let ok = result["ok"] as? Bool == true
                        print("\(ok ? "ok  " : "FAIL") \(text(result["id"]) ?? "?")\(ok ? "" : ": \(text(result["error"]) ?? "")")")
                    }
                }
                if results.contains(where: { $0["ok"] as? Bool != true }) { throw ExitCode(1) }
            }
        }
    }
}
