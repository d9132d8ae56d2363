import FoundationEssentials
import FleetCore
import FleetJSON

/// How fleetctl shows policies and a device's desired and reported state to people.
extension Table {
    public static func policies(_ policies: [Policy], now: Date) -> Table {
        Table(headers: ["NAME", "REVISION", "PRIORITY", "SELECTOR", "PROGRAMS", "MODELS", "UPDATED"], rows: policies.map { policy in
            let document = PolicyDocumentSummary(policy.document)
            return [policy.name, String(policy.revision), document.priority.map(String.init) ?? "-", document.selector ?? "-",
                    document.programs.map(\.name).joined(separator: ",").nonEmpty ?? "-",
                    document.models.map(\.name).joined(separator: ",").nonEmpty ?? "-",
                    RelativeTime.describe(policy.updatedAt ?? policy.createdAt, now: now)]
        })
    }

    public static func policyRevisions(_ revisions: [PolicyRevision], now: Date) -> Table {
        Table(headers: ["REVISION", "CREATED", "BY", "PRIORITY", "SELECTOR", "ITEMS"], rows: revisions.map { revision in
            let document = PolicyDocumentSummary(revision.document)
            return [String(revision.revision), RelativeTime.describe(revision.createdAt, now: now), revision.createdBy ?? "-",
                    document.priority.map(String.init) ?? "-", document.selector ?? "-", document.itemList.nonEmpty ?? "-"]
        })
    }

    public static func policyHolds(_ holds: [PolicyHold], now: Date) -> Table {
        Table(headers: ["DEVICE", "NAME", "REVISION", "HELD", "BY"], rows: holds.map { hold in
            [hold.deviceID.description, hold.deviceName.nonEmpty ?? "-", String(hold.revision),
             RelativeTime.describe(hold.createdAt, now: now), hold.createdBy ?? "-"]
        })
    }

    /// One row per failing item of each failing device.
    public static func failingDevices(_ devices: [PolicyStatus.FailingDevice]) -> Table {
        Table(headers: ["DEVICE", "NAME", "ITEM", "STATE", "ERROR"], rows: devices.flatMap { device in
            device.items.map { item in
                [device.deviceID.description, device.deviceName, "\(item.kind)/\(item.name)", item.state, Self.summary(item.error, limit: 100)]
            }
        })
    }

    /// Desired against reported, one row per item either side names.
    public static func deviceItems(desired: DeviceDesiredState?, reported: DeviceReportedState?, now: Date) -> Table {
        var keys = Set<String>()
        for name in (desired?.programs ?? [:]).keys { keys.insert("program/\(name)") }
        for name in (desired?.models ?? [:]).keys { keys.insert("model/\(name)") }
        var reportedItems: [String: DeviceReportedState.Item] = [:]
        for item in reported?.items ?? [] {
            reportedItems["\(item.kind)/\(item.name)"] = item
            keys.insert("\(item.kind)/\(item.name)")
        }
        return Table(headers: ["ITEM", "POLICY", "DESIRED", "REPORTED", "STATE", "SINCE", "ERROR"], rows: keys.sorted().map { key in
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            let payload = parts[0] == "program" ? desired?.programs[parts[1]] : desired?.models[parts[1]]
            let source = desired?.sources[key]
            let item = reportedItems[key]
            let wanted = source?.version ?? payload.map { Self.artifact(in: $0, kind: parts[0]) }
            return [key, source.map { "\($0.policy)@\($0.revision)" } ?? (payload == nil ? "(not desired)" : "-"), wanted ?? "-", item?.version ?? "-",
                    item?.state ?? "(not reported)", item?.since.map { RelativeTime.describe($0, now: now) } ?? "-",
                    Self.summary(item?.error, limit: 80)]
        })
    }

    /// What a desired item deploys: `name@version` when the payload says, else its version or digest.
    static func artifact(in payload: JSON, kind: String) -> String {
        if let reference = payload[kind]?.stringValue { return reference }
        if let name = payload["name"]?.stringValue, let version = payload["version"]?.stringValue { return "\(name)@\(version)" }
        if let version = payload["version"]?.stringValue { return version }
        if let digest = payload["sha256"]?.stringValue { return "sha256:" + digest.prefix(12) }
        return "-"
    }
}

extension DetailView {
    /// A policy, and how far its devices have come when `status` is given.
    public static func policy(_ policy: Policy, status: PolicyStatus?, now: Date) -> DetailView {
        let document = PolicyDocumentSummary(policy.document)
        var fields: [(name: String, value: String)] = [
            ("NAME", policy.name), ("REVISION", String(policy.revision)), ("SELECTOR", document.selector ?? "-"),
            ("PRIORITY", document.priority.map(String.init) ?? "-"),
            ("PROGRAMS", document.programs.map { "\($0.name): \($0.reference)" }.joined(separator: "\n").nonEmpty ?? "<none>"),
            ("MODELS", document.models.map { model in
                "\(model.name): \(model.reference)" + (model.schedule.map { ", \($0)" } ?? "")
            }.joined(separator: "\n").nonEmpty ?? "<none>"),
        ]
        if let interval = document.telemetryIntervalSeconds { fields.append(("TELEMETRY", "every \(interval)s")) }
        fields.append(("CREATED", timestamp(policy.createdAt, now: now) + (policy.createdBy.map { " by \($0)" } ?? "")))
        if let updatedAt = policy.updatedAt { fields.append(("UPDATED", timestamp(updatedAt, now: now))) }
        guard let status else { return DetailView(fields) }
        let revisionNote = status.revision == policy.revision ? "" : " (status of revision \(status.revision))"
        let conflicted = status.conflicted.flatMap { $0 > 0 ? ", \($0) in conflict" : nil } ?? ""
        let held = status.held.flatMap { $0 > 0 ? ", \($0) held on an earlier revision" : nil } ?? ""
        fields.append(("DEVICES", "\(status.matched) matched: \(status.converged) converged, \(status.pending) pending, "
                       + "\(status.failed) failed, \(status.offline) offline\(conflicted)\(held)" + revisionNote))
        fields.append(("CONFLICTS", status.conflicts.map(conflict).joined(separator: "\n").nonEmpty ?? "<none>"))
        return DetailView(fields)
    }

    /// `program/syscalls: north, south at priority 0; north wins`
    public static func conflict(_ conflict: PolicyConflictReport) -> String {
        let winner = conflict.policies.first.map { "; \($0) wins" } ?? ""
        return "\(conflict.kind)/\(conflict.item): \(conflict.policies.joined(separator: ", ")) at priority \(conflict.priority)\(winner)"
    }

    /// A device's desired and reported revisions, and whether they agree.
    public static func deviceConvergence(desired: DeviceDesiredState?, reported: DeviceReportedState?, now: Date) -> DetailView {
        var fields: [(name: String, value: String)] = [
            ("DESIRED REVISION", desired?.revision ?? "-"),
            ("REPORTED REVISION", reported?.revision.map { revision in
                revision + (reported?.reportedAt.map { " (reported \(RelativeTime.describe($0, now: now)))" } ?? "")
            } ?? "never reported"),
        ]
        let failed = reported?.items.contains { $0.state == "failed" } ?? false
        let converged = (reported?.converged ?? (desired != nil && desired?.revision == reported?.revision)) && !failed
        fields.append(("CONVERGED", converged ? "yes" : failed ? "no: items failed" : "no"))
        if let interval = desired?.telemetry?["interval_seconds"]?.int64Value {
            let source = desired?.sources["telemetry"].map { " (\($0.policy)@\($0.revision))" } ?? ""
            fields.append(("TELEMETRY", "every \(interval)s\(source)"))
        }
        if let conflicts = desired?.conflicts, !conflicts.isEmpty {
            fields.append(("CONFLICTS", conflicts.map(conflict).joined(separator: "\n")))
        }
        return DetailView(fields)
    }
}

/// The members of a policy document that tables show, read leniently: a member of another shape shows as missing,
/// so that a newer server's documents still print.
struct PolicyDocumentSummary {
    struct Item {
        var name: String
        var reference: String
        /// `every 10s on syscalls/syscall_total` for a model with a run.
        var schedule: String?
    }

    var selector: String?
    var priority: Int64?
    var programs: [Item] = []
    var models: [Item] = []
    var telemetryIntervalSeconds: Int64?

    init(_ document: JSON) {
        selector = document["selector"]?.stringValue
        priority = document["priority"]?.int64Value ?? (document["selector"] != nil ? 0 : nil)
        programs = (document["programs"]?.arrayValue ?? []).map { item in
            Item(name: item["name"]?.stringValue ?? "?", reference: item["program"]?.stringValue ?? "?")
        }
        models = (document["models"]?.arrayValue ?? []).map { item in
            var schedule: String?
            if let run = item["run"], let every = run["every_seconds"]?.int64Value {
                let source = run["features_from"]
                let from = [source?["program"]?.stringValue, source?["map"]?.stringValue].compactMap { $0 }.joined(separator: "/")
                schedule = "every \(every)s" + (from.isEmpty ? "" : " on \(from)")
            }
            return Item(name: item["name"]?.stringValue ?? "?", reference: item["model"]?.stringValue ?? "?", schedule: schedule)
        }
        telemetryIntervalSeconds = document["telemetry"]?["interval_seconds"]?.int64Value
    }

    /// `program/syscalls, model/anomaly`
    var itemList: String {
        (programs.map { "program/\($0.name)" } + models.map { "model/\($0.name)" }).joined(separator: ", ")
    }
}

extension String {
    /// Nil for the empty string, for `?? "-"`.
    var nonEmpty: String? { isEmpty ? nil : self }
}
