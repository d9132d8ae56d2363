import FleetClient
import FleetJSON
import FleetYAML
import Foundation

/// Writes results to stdout in the chosen format.
struct Printer {
    let format: OutputFormat

    /// JSON or YAML of `value`, or what `table` renders for people.
    func show(_ value: some JSONEncodable, table: (Date) -> String) {
        switch format {
        case .json: print(value.json.prettyPrinted())
        case .yaml: print(YAMLRenderer.render(value.json), terminator: "")
        case .table: print(table(Date()), terminator: "")
        }
    }

    /// A listing: the page as JSON/YAML, or a table with a hint on stderr when more pages exist.
    func showList<Item: JSONEncodable & Sendable>(_ page: ListPage<Item>, noun: String, table: ([Item], Date) -> Table) {
        show(page) { now in
            if page.items.isEmpty {
                Console.note("No \(noun) found.")
                return ""
            }
            return table(page.items, now).render()
        }
        if format == .table, let cursor = page.nextCursor {
            Console.note("More \(noun) exist: add --all, or --cursor \(cursor) for the next page.")
        }
    }

    /// A confirmation for people; JSON and YAML output print `value` instead.
    func confirm(_ message: String, value: some JSONEncodable) {
        show(value) { _ in message + "\n" }
    }
}
