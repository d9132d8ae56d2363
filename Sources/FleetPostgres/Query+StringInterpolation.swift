extension Query {
    /// Collects literal SQL and bound values for `Query`'s string interpolation.
    public struct StringInterpolation: StringInterpolationProtocol {
        var query = Query(unsafeSQL: "")

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            query.appendText(literal)
        }

        /// Binds `value` as the next `$n` parameter.
        public mutating func appendInterpolation<T: PostgresBindable>(_ value: T) {
            query.appendBind(value.postgresText)
        }

        /// Binds `value` as the next `$n` parameter, NULL when nil.
        public mutating func appendInterpolation<T: PostgresBindable>(_ value: T?) {
            query.appendBind(value?.postgresText ?? nil)
        }

        /// Inserts raw SQL text. The loud escape hatch: never pass untrusted input.
        public mutating func appendInterpolation(unsafeSQL: String) {
            query.appendText(unsafeSQL)
        }

        /// Splices a fragment, renumbering its placeholders.
        public mutating func appendInterpolation(_ fragment: Query) {
            query.append(fragment)
        }
    }
}
