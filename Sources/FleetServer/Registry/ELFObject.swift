/// Bytes that can be read at any offset, such as a staged upload.
protocol RandomAccessBytes {
    var size: UInt64 { get }
    /// Up to `count` bytes from `offset`; fewer only at the end.
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

extension StagedFile: RandomAccessBytes {}

/// The section and symbol tables of an ELF64 little-endian file, read with bounded, bounds-checked reads (the
/// section contents themselves are never read, except string and symbol tables).
struct ELFObject {
    /// Why a file is not a usable ELF object; the text is safe to show.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    struct Section {
        let index: Int
        let name: String
        let type: UInt32
        let flags: UInt64
        let offset: UInt64
        let size: UInt64
        let link: UInt32
        let entrySize: UInt64
    }

    struct Symbol {
        let name: String
        let type: UInt8
        let binding: UInt8
        /// Index of the section the symbol is defined in (0 for undefined, >= 0xff00 for special indices).
        let sectionIndex: Int
    }

    static let machineBPF: UInt16 = 247
    static let typeRelocatable: UInt16 = 1
    static let sectionProgbits: UInt32 = 1
    static let sectionSymtab: UInt32 = 2
    static let sectionStrtab: UInt32 = 3
    static let flagExecInstr: UInt64 = 0x4
    static let symbolObject: UInt8 = 1
    static let symbolFunction: UInt8 = 2
    static let symbolSection: UInt8 = 3
    static let symbolFile: UInt8 = 4

    /// Tables larger than this are refused rather than read into memory.
    static let tableLimit = 16 << 20
    static let sectionLimit = 65_535

    let fileType: UInt16
    let machine: UInt16
    let sections: [Section]
    let symbols: [Symbol]

    /// Reads the header, the section headers, their names and the symbol table.
    /// - Throws: `Invalid` for anything that is not ELF64 little-endian or has tables outside the file.
    init(reading file: some RandomAccessBytes) throws {
        let header = try Self.read(file, at: 0, count: 64, what: "the ELF header")
        guard header[0..<4].elementsEqual([0x7f, 0x45, 0x4c, 0x46]) else { throw Invalid(description: "not an ELF file (bad magic number)") }
        guard header[4] == 2 else { throw Invalid(description: "not a 64-bit ELF file (EI_CLASS \(header[4]))") }
        guard header[5] == 1 else { throw Invalid(description: "not a little-endian ELF file (EI_DATA \(header[5]))") }
        guard header[6] == 1 else { throw Invalid(description: "unknown ELF version \(header[6])") }
        fileType = header.u16(16)
        machine = header.u16(18)
        let sectionTable = header.u64(40)
        let entrySize = Int(header.u16(58))
        var count = Int(header.u16(60))
        var namesIndex = Int(header.u16(62))
        guard sectionTable != 0 else { throw Invalid(description: "the ELF file has no section header table") }
        guard entrySize == 64 else { throw Invalid(description: "unexpected ELF section header size \(entrySize)") }

        // Extended numbering: the real count and name-table index live in section 0.
        let first = try Self.read(file, at: sectionTable, count: 64, what: "the section header table")
        if count == 0 { count = Int(min(first.u64(32), UInt64(Self.sectionLimit + 1))) }
        if namesIndex == 0xffff { namesIndex = Int(first.u32(40)) }
        guard count > 0, count <= Self.sectionLimit else { throw Invalid(description: "the ELF file declares \(count) sections") }
        let table = try Self.read(file, at: sectionTable, count: count * 64, what: "the section header table")

        var raw: [(name: UInt32, section: Section)] = []
        for index in 0..<count {
            let entry = table[(index * 64)..<(index * 64 + 64)]
            let base = entry.startIndex
            let section = Section(index: index, name: "", type: entry.u32(base + 4), flags: entry.u64(base + 8),
                                  offset: entry.u64(base + 24), size: entry.u64(base + 32), link: entry.u32(base + 40),
                                  entrySize: entry.u64(base + 56))
            if section.type != 8 /* SHT_NOBITS */ && section.type != 0, section.offset > file.size || section.size > file.size - section.offset {
                throw Invalid(description: "section \(index) extends past the end of the file")
            }
            raw.append((entry.u32(base), section))
        }
        guard namesIndex > 0, namesIndex < count, raw[namesIndex].section.type == Self.sectionStrtab else {
            throw Invalid(description: "the ELF file has no section name table")
        }
        let names = try Self.table(raw[namesIndex].section, in: file, what: "the section name table")
        sections = try raw.map { name, section in
            Section(index: section.index, name: try Self.string(at: name, in: names, what: "a section name"), type: section.type,
                    flags: section.flags, offset: section.offset, size: section.size, link: section.link, entrySize: section.entrySize)
        }

        var symbols: [Symbol] = []
        if let symtab = sections.first(where: { $0.type == Self.sectionSymtab }) {
            guard symtab.entrySize == 24 else { throw Invalid(description: "unexpected ELF symbol size \(symtab.entrySize)") }
            guard Int(symtab.link) < count, sections[Int(symtab.link)].type == Self.sectionStrtab else {
                throw Invalid(description: "the symbol table has no string table")
            }
            let strings = try Self.table(sections[Int(symtab.link)], in: file, what: "the symbol string table")
            let entries = try Self.table(symtab, in: file, what: "the symbol table")
            var offset = 0
            while offset + 24 <= entries.count {
                let info = entries[offset + 4]
                symbols.append(Symbol(name: try Self.string(at: entries.u32(offset), in: strings, what: "a symbol name"),
                                      type: info & 0xf, binding: info >> 4, sectionIndex: Int(entries.u16(offset + 6))))
                offset += 24
            }
        }
        self.symbols = symbols
    }

    private static func read(_ file: some RandomAccessBytes, at offset: UInt64, count: Int, what: String) throws -> [UInt8] {
        guard offset <= file.size, UInt64(count) <= file.size - offset else {
            throw Invalid(description: "\(what) extends past the end of the file (truncated?)")
        }
        return try file.read(at: offset, count: count)
    }

    private static func table(_ section: Section, in file: some RandomAccessBytes, what: String) throws -> [UInt8] {
        guard section.size <= UInt64(tableLimit) else { throw Invalid(description: "\(what) is larger than \(tableLimit) bytes") }
        return try read(file, at: section.offset, count: Int(section.size), what: what)
    }

    private static func string(at offset: UInt32, in table: [UInt8], what: String) throws -> String {
        let start = Int(offset)
        guard start < table.count else { throw Invalid(description: "\(what) points outside its string table") }
        guard let end = table[start...].firstIndex(of: 0) else { throw Invalid(description: "\(what) is not terminated") }
        return String(decoding: table[start..<end], as: UTF8.self)
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// Little-endian integers at `offset`.
    fileprivate func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    fileprivate func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << (8 * $1) } }
    fileprivate func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(self[offset + $1]) << (8 * $1) } }
}
