import ArgumentParser

/// `--limit`, `--cursor` and `--all` of every listing.
struct PageOptions: ParsableArguments {
    @Option(help: "Items per page, 1 to 1000 (server default: 100).")
    var limit: Int?

    @Option(help: ArgumentHelp("Start after this cursor (the next_cursor of an earlier page).", valueName: "cursor"))
    var cursor: String?

    @Flag(help: "Follow next_cursor and show every page.")
    var all = false

    func validate() throws {
        if let limit, !(1...1000).contains(limit) { throw ValidationError("--limit must be between 1 and 1000") }
    }
}
