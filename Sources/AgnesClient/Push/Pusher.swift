// `agnes push`: sends what the workspace learned back to the server — the transcripts of finished Claude Code sessions
// queued in `.claude/agnes-sessions.txt` (one `POST /api/upload/sessions` each) and `.claude/CLAUDE.local.md` when it
// changed since the last push (`POST /api/upload/local-md`). One push at a time per workspace (a file lock); an entry
// leaves the queue only once the server has it, so nothing is lost when the network is not there.
import AgnesCore
import Crypto
import Foundation

public struct PushSummary: Encodable, Sendable {
    public var sessionsUploaded: [String] = []
    public var sessionsPending: Int = 0
    public var sessionsDropped: [String] = []
    /// `uploaded`, `unchanged`, `missing`, or `would upload` with `--dry-run`.
    public var localNotes: String = "missing"
    public var bytesUploaded: Int64 = 0
    public var durationSeconds: Double = 0
    public var errors: [PushError] = []

    public struct PushError: Encodable, Sendable {
        public var item: String
        public var error: String
    }

    enum CodingKeys: String, CodingKey {
        case errors
        case sessionsUploaded = "sessions_uploaded"
        case sessionsPending = "sessions_pending"
        case sessionsDropped = "sessions_dropped"
        case localNotes = "local_md"
        case bytesUploaded = "bytes_uploaded"
        case durationSeconds = "duration_s"
    }
}

public struct Pusher: Sendable {
    public let api: APIClient
    public let workspace: Workspace

    /// The server takes transcripts up to 50 MiB.
    static let maximumTranscriptBytes = 50 << 20

    public init(api: APIClient, workspace: Workspace) {
        self.api = api
        self.workspace = workspace
    }

    /// A queued session.
    public struct QueuedSession: Equatable, Sendable {
        public var id: String
        public var transcript: String
    }

    /// The queue, oldest first, one entry per session id (the last line wins).
    public func queue() -> [QueuedSession] {
        guard let text = try? String(contentsOf: workspace.sessionQueueFile, encoding: .utf8) else { return [] }
        var sessions: [QueuedSession] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else { continue }
            sessions.removeAll { $0.id == fields[0] }
            sessions.append(QueuedSession(id: fields[0], transcript: fields[1]))
        }
        return sessions
    }

    /// Adds a finished session to the queue (waiting for a running push to let go of it).
    public func enqueue(sessionId: String, transcript: String) throws {
        let id = sessionId.filter { !$0.isNewline && $0 != "\t" }
        let path = transcript.filter { !$0.isNewline && $0 != "\t" }
        guard !id.isEmpty, !path.isEmpty else { throw ClientError(.usage, "a queued session needs an id and a transcript path") }
        let lock = try FileLock.acquire(workspace.pushLockFile, wait: true)
        defer { lock?.unlock() }
        var sessions = queue().filter { $0.id != id }
        sessions.append(QueuedSession(id: id, transcript: path))
        try writeQueue(sessions)
    }

    func writeQueue(_ sessions: [QueuedSession]) throws {
        try FileManager.default.createDirectory(at: workspace.claudeDirectory, withIntermediateDirectories: true)
        let text = sessions.map { "\($0.id)\t\($0.transcript)\n" }.joined()
        try ClientSettings.writeAtomically(Data(text.utf8), to: workspace.sessionQueueFile, permissions: 0o600)
    }

    /// The upload name of a session: `<id>.jsonl`, in the characters the server accepts.
    static func uploadName(_ id: String) -> String {
        let safe = String(id.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "._-".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        }.prefix(190))
        return safe + ".jsonl"
    }

    struct PushState: Codable {
        var localNotesSHA256: String?
        var lastPush: Date?
        enum CodingKeys: String, CodingKey {
            case localNotesSHA256 = "local_md_sha256"
            case lastPush = "last_push"
        }
    }

    public func push(dryRun: Bool) async throws -> PushSummary {
        let started = Date()
        guard let lock = try FileLock.acquire(workspace.pushLockFile, wait: false) else {
            throw ClientError(.failure, "another `agnes push` is running in \(workspace.root.path)")
        }
        defer { lock.unlock() }
        var summary = PushSummary()
        var remaining: [QueuedSession] = []
        var reachable = true
        for session in queue() {
            let path = (session.transcript as NSString).expandingTildeInPath
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
                summary.sessionsDropped.append(session.id)
                summary.errors.append(.init(item: session.id, error: "transcript \(path) is gone; dropped from the queue"))
                continue
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Self.maximumTranscriptBytes else {
                summary.sessionsDropped.append(session.id)
                summary.errors.append(.init(item: session.id, error: "transcript is \(size >> 20) MiB, over the server's 50 MiB; dropped from the queue"))
                continue
            }
            guard !dryRun, reachable else {
                remaining.append(session)
                if dryRun { summary.sessionsUploaded.append(session.id) }
                continue
            }
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                _ = try await api.uploadSession(filename: Self.uploadName(session.id), data: data)
                summary.sessionsUploaded.append(session.id)
                summary.bytesUploaded += Int64(data.count)
            } catch let error as ClientError {
                remaining.append(session)
                summary.errors.append(.init(item: session.id, error: error.message))
                if error.code == .unreachable { reachable = false }
            }
        }
        if !dryRun {
            CrashPoint.pushBeforeQueue.reach()
            try writeQueue(remaining)
        }
        summary.sessionsPending = remaining.count

        var state = loadState()
        if let notes = try? Data(contentsOf: workspace.localNotesFile), !notes.isEmpty {
            let digest = Hex.encode(SHA256.hash(data: notes))
            if digest == state.localNotesSHA256 {
                summary.localNotes = "unchanged"
            } else if dryRun {
                summary.localNotes = "would upload"
            } else if reachable {
                do {
                    _ = try await api.uploadNotes(String(decoding: notes, as: UTF8.self))
                    summary.localNotes = "uploaded"
                    summary.bytesUploaded += Int64(notes.count)
                    state.localNotesSHA256 = digest
                } catch let error as ClientError {
                    summary.localNotes = "failed"
                    summary.errors.append(.init(item: "CLAUDE.local.md", error: error.message))
                }
            } else {
                summary.localNotes = "failed"
            }
        }
        if !dryRun {
            state.lastPush = Date()
            try saveState(state)
        }
        summary.durationSeconds = Date().timeIntervalSince(started)
        return summary
    }

    func loadState() -> PushState {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? Data(contentsOf: workspace.pushStateFile)).flatMap { try? decoder.decode(PushState.self, from: $0) } ?? PushState()
    }

    func saveState(_ state: PushState) throws {
        try FileManager.default.createDirectory(at: workspace.pushStateFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ClientSettings.writeAtomically(try encoder.encode(state), to: workspace.pushStateFile, permissions: 0o644)
    }
}
