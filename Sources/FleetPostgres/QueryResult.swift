internal import CLibPQ

/// The rows and affected-row count of one statement, fully copied out of libpq.
public struct QueryResult: Sendable {
    public let rows: [Row]
    /// Rows inserted, updated, deleted, selected, ... (`PQcmdTuples`); 0 when not applicable.
    public let affectedRows: Int

    public var first: Row? { rows.first }

    /// Copies a successful `PGresult`; the caller still owns (and clears) it.
    init(copying result: OpaquePointer) {
        let fieldCount = PQnfields(result)
        var columns: [String: Int] = [:]
        for field in 0..<fieldCount {
            let name = String(cString: PQfname(result, field))
            if columns[name] == nil { columns[name] = Int(field) }
        }
        var rows: [Row] = []
        let rowCount = PQntuples(result)
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(Int(fieldCount))
            for field in 0..<fieldCount {
                if PQgetisnull(result, row, field) != 0 {
                    values.append(nil)
                } else {
                    let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, row, field),
                                                       count: Int(PQgetlength(result, row, field)))
                    values.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        self.rows = rows
        affectedRows = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }
}
