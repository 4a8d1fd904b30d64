// The development mailer: writes each message, link included, to the server log instead of sending it.
import Logging

/// Writes messages to the log. For development only: whoever reads the log can use the links.
public struct LogMailer: Mailer {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func send(_ message: MailMessage) async throws {
        logger.notice("mail (log mailer, not sent) to \(message.to): \(message.subject)\n\(message.text)")
    }
}
