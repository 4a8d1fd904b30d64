// `--help` reads as paragraphs: a discussion's sentences are not broken by hard line breaks that the argument parser
// then wraps again (which left short lines in the middle of sentences in an 80-column terminal).
import Foundation
import Testing

@Suite("agnes help paragraphs")
struct CLIHelpParagraphTests {
    static let commands: [[String]] = [
        [], ["pull"], ["push"], ["init"], ["query"], ["catalog"], ["snapshot", "create"], ["admin"], ["admin", "register-table"],
        ["admin", "sources"], ["auth", "token"], ["memory"], ["mcp"], ["snapshot", "prune"],
    ]

    /// The help text of `agnes <command> --help` at `columns` columns.
    func help(_ command: [String], columns: Int) throws -> String {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent("agnes")
        process.arguments = command + ["--help"]
        process.environment = ["COLUMNS": String(columns), "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("in an 80-column terminal no discussion line ends short in the middle of a sentence", arguments: commands)
    func paragraphs(_ command: [String]) throws {
        let text = try help(command, columns: 80)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count > 3, "no help for \(command)")
        // The discussion: from the line after OVERVIEW's paragraph up to USAGE.
        guard let usage = lines.firstIndex(where: { $0.hasPrefix("USAGE:") }) else { Issue.record("no USAGE in \(command)"); return }
        for (index, line) in lines[..<usage].enumerated() where index + 1 < usage {
            let next = lines[index + 1]
            guard let first = next.unicodeScalars.first, CharacterSet.lowercaseLetters.contains(first) else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // A line the parser wrapped is nearly full; a hard break leaves it short, with the sentence going on below.
            #expect(trimmed.count >= 55 || trimmed.hasSuffix(":"), "\(command): '\(trimmed)' is cut short before '\(next)'")
        }
    }
}
