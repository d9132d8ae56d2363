import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// How fleetctl shows the API's objects to people.
extension Table {
    public static func devices(_ devices: [Device], now: Date) -> Table {
        Table(headers: ["ID", "NAME", "STATUS", "ONLINE", "LAST SEEN", "LABELS"], rows: devices.map { device in
            [device.id.description, device.name, device.status.rawValue, device.online ? "yes" : "no",
             device.lastSeenAt.map { RelativeTime.describe($0, now: now) } ?? "never", LabelEdit.format(device.labels)]
        })
    }

    public static func commands(_ commands: [Command], now: Date) -> Table {
        Table(headers: ["ID", "TYPE", "STATE", "CREATED", "FINISHED", "ERROR"], rows: commands.map { command in
            [command.id.description, command.type, command.state.rawValue, RelativeTime.describe(command.createdAt, now: now),
             command.finishedAt.map { RelativeTime.describe($0, now: now) } ?? "-", Self.summary(command.error)]
        })
    }

    public static func apiTokens(_ tokens: [APIToken], now: Date) -> Table {
        Table(headers: ["ID", "NAME", "ROLE", "PREFIX", "STATE", "CREATED", "EXPIRES", "LAST USED"], rows: tokens.map { token in
            [token.id.description, token.name, token.role.rawValue, token.tokenPrefix,
             tokenState(revokedAt: token.revokedAt, expiresAt: token.expiresAt, now: now),
             RelativeTime.describe(token.createdAt, now: now), token.expiresAt.map { RelativeTime.describe($0, now: now) } ?? "never",
             token.lastUsedAt.map { RelativeTime.describe($0, now: now) } ?? "never"]
        })
    }

    public static func enrollmentTokens(_ tokens: [EnrollmentToken], now: Date) -> Table {
        Table(headers: ["ID", "NAME", "PREFIX", "STATE", "USES", "AUTO-APPROVE", "EXPIRES", "LABELS"], rows: tokens.map { token in
            var state = tokenState(revokedAt: token.revokedAt, expiresAt: token.expiresAt, now: now)
            if state == "active", let max = token.maxUses, token.uses >= max { state = "used up" }
            return [token.id.description, token.name, token.tokenPrefix, state,
                    token.maxUses.map { "\(token.uses)/\($0)" } ?? "\(token.uses)", token.autoApprove ? "yes" : "no",
                    token.expiresAt.map { RelativeTime.describe($0, now: now) } ?? "never", LabelEdit.format(token.labels)]
        })
    }

    static func tokenState(revokedAt: Date?, expiresAt: Date?, now: Date) -> String {
        if revokedAt != nil { return "revoked" }
        if let expiresAt, expiresAt <= now { return "expired" }
        return "active"
    }

    /// The first line of an error, shortened to fit a table cell.
    public static func firstLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
    }

    static func summary(_ error: String?, limit: Int = 60) -> String {
        guard let error, !error.isEmpty else { return "" }
        let firstLine = error.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let more = firstLine.count > limit || firstLine.count < error.trimmed.count
        return more ? String(firstLine.prefix(limit - 1)) + "…" : firstLine
    }
}

extension DetailView {
    public static func device(_ device: Device, now: Date) -> DetailView {
        DetailView([
            ("ID", device.id.description), ("NAME", device.name), ("HARDWARE ID", device.hardwareID),
            ("STATUS", device.status.rawValue), ("ONLINE", device.online ? "yes" : "no"),
            ("LAST SEEN", device.lastSeenAt.map { timestamp($0, now: now) } ?? "never"),
            ("LABELS", device.labels.isEmpty ? "<none>" : LabelEdit.format(device.labels)),
            ("CREATED", timestamp(device.createdAt, now: now)), ("UPDATED", timestamp(device.updatedAt, now: now)),
            ("INVENTORY", inventory(device.inventory)),
        ])
    }

    public static func command(_ command: Command, now: Date) -> DetailView {
        var fields: [(name: String, value: String)] = [
            ("ID", command.id.description), ("DEVICE", command.deviceID.description), ("TYPE", command.type),
            ("STATE", command.state.rawValue), ("PAYLOAD", compact(command.payload)),
            ("CREATED", timestamp(command.createdAt, now: now)),
            ("DELIVERED", command.deliveredAt.map { timestamp($0, now: now) } ?? "-"),
            ("FINISHED", command.finishedAt.map { timestamp($0, now: now) } ?? "-"),
        ]
        // Past its end a command no longer expires; the deadline only matters while it may still run.
        if !command.state.isTerminal { fields.append(("EXPIRES", timestamp(command.expiresAt, now: now))) }
        if let key = command.idempotencyKey { fields.append(("IDEMPOTENCY KEY", key)) }
        if let result = command.result { fields.append(("RESULT", compact(result))) }
        if let error = command.error, !error.isEmpty { fields.append(("ERROR", error)) }
        return DetailView(fields)
    }

    /// `2026-01-02T03:04:05.000000Z (5m ago)`
    static func timestamp(_ date: Date, now: Date) -> String {
        "\(Timestamp.format(date)) (\(RelativeTime.describe(date, now: now)))"
    }

    /// An inventory in one line: scalars as `name=value`, long lists as their length and objects of lists (the
    /// helpers per program type) as a length per key. `-o json` prints it whole.
    static func inventory(_ json: JSON) -> String {
        guard case .object(let members) = json, !members.isEmpty else { return compact(json) }
        func short(_ value: JSON) -> String {
            switch value {
            case .array(let items) where items.count > 6: return "\(items.count) items"
            case .object(let entries) where entries.values.allSatisfy({ $0.arrayValue != nil }):
                return "{" + entries.keys.sorted().map { "\($0): \(entries[$0]?.arrayValue?.count ?? 0)" }.joined(separator: ", ") + "}"
            case .string(let text): return text
            default: return compact(value)
            }
        }
        return members.keys.sorted().map { "\($0)=\(short(members[$0] ?? .null))" }.joined(separator: " ")
    }

    static func compact(_ json: JSON) -> String {
        if case .object(let members) = json, members.isEmpty { return "{}" }
        return json.serialized()
    }
}
