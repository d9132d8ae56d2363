import FleetCore
import FleetJSON
import FleetPostgres

extension LabelSelector {
    /// The selector as a WHERE condition on a jsonb column of string labels; equality uses `@>` (GIN-indexable).
    ///
    /// - Parameter column: the labels column, such as `d.labels`; a fixed identifier, never request text.
    func sql(on column: Query) -> Query {
        guard !requirements.isEmpty else { return "true" }
        let parts: [Query] = requirements.map { requirement in
            switch requirement {
            case .equals(let key, let value):
                return "\(column) @> \(JSON.object([key: .string(value)]).serialized())::jsonb"
            case .notEquals(let key, let value):
                return "NOT (\(column) @> \(JSON.object([key: .string(value)]).serialized())::jsonb)"
            case .isIn(let key, let values):
                return "coalesce(\(column) ->> \(key) = ANY(\(values)::text[]), false)"
            case .notIn(let key, let values):
                return "NOT coalesce(\(column) ->> \(key) = ANY(\(values)::text[]), false)"
            case .exists(let key):
                return "\(column) ? \(key)"
            case .doesNotExist(let key):
                return "NOT (\(column) ? \(key))"
            }
        }
        return "(" + Query.joined(parts, separator: " AND ") + ")"
    }
}
