// Delivering the mail Agnes sends: password setup and reset links, magic sign-in links.
import Foundation

/// One plain-text message.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var text: String

    public init(to: String, subject: String, text: String) {
        self.to = to
        self.subject = subject
        self.text = text
    }
}

/// Sends mail.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}

/// A mailer that could not deliver.
public struct MailerError: Error, CustomStringConvertible {
    public let description: String
}

/// The messages Agnes sends, worded in one place.
public enum MailTemplates {
    public static func invitation(to email: String, link: String) -> MailMessage {
        MailMessage(to: email, subject: "You are invited to Agnes",
                    text: "An account was created for you on Agnes.\n\nChoose your password here (the link is valid for 7 days):\n\(link)\n")
    }

    public static func passwordReset(to email: String, link: String) -> MailMessage {
        MailMessage(to: email, subject: "Reset your Agnes password",
                    text: "Someone asked to reset the password of this Agnes account.\n\nChoose a new one here (valid for 24 hours):\n\(link)\n\nIf it was not you, ignore this message.\n")
    }

    public static func magicLink(to email: String, link: String) -> MailMessage {
        MailMessage(to: email, subject: "Your Agnes sign-in link",
                    text: "Sign in to Agnes with this link (valid for 1 hour, usable once):\n\(link)\n")
    }
}
