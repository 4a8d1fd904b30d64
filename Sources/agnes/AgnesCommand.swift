// The `agnes` CLI executable: parses the command line and hands over to the AgnesClient library.
import AgnesCore
import ArgumentParser

@main
struct AgnesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agnes",
        abstract: "The Agnes analyst CLI: pull the tables you may see, query them locally, share what you learn.",
        discussion: "Agnes serves tables from a central server to analysts and AI agents. This build answers --help "
            + "and --version only; the workspace commands (init, pull, query, catalog, snapshot, push) are not built yet.",
        version: AgnesVersion.current
    )
}
