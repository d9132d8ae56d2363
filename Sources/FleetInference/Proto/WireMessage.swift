/// A message decoded from the protobuf wire format by `WireReader`.
///
/// A message starts empty and takes its fields in the order they come: a singular scalar field keeps
/// its last value, a singular message field merges every occurrence, and repeated fields append.
protocol WireMessage {
    init()

    /// Reads one field's value from `reader`, or skips it with `reader.skip(_:)` when the runtime
    /// does not read that field.
    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError)
}

extension WireMessage {
    /// Decodes a serialized message.
    ///
    /// - Throws: `WireError` when the bytes are not a well-formed message.
    init(serialized bytes: [UInt8]) throws(WireError) {
        self.init()
        var reader = WireReader(bytes)
        try reader.decodeFields(into: &self)
    }
}
