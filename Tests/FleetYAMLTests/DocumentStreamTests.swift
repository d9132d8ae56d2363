import Testing
import FleetJSON
@testable import FleetYAML

@Suite struct DocumentStreamTests {
    @Test func theFormatComesFromTheExtensionElseTheFirstCharacter() {
        #expect(DocumentStream.Format.of(path: "a.JSON", text: "x: 1") == .json)
        #expect(DocumentStream.Format.of(path: "a.yml", text: "{}") == .yaml)
        #expect(DocumentStream.Format.of(path: nil, text: "\n  [1]") == .json)
        #expect(DocumentStream.Format.of(path: "policy.txt", text: "name: x") == .yaml)
    }

    @Test func aJSONArrayOrAYAMLSequenceHoldsOneDocumentPerItem() throws {
        let json = DocumentStream.documents(in: #"[{"name": "a"}, {"name": "b"}]"#, format: .json)
        #expect(try json.map { try $0.content.get() } == [["name": "a"], ["name": "b"]])
        #expect(json.map(\.index) == [1, 2])
        let yaml = DocumentStream.documents(in: "- name: a\n- name: b\n---\nname: c\n", format: .yaml)
        #expect(try yaml.map { try $0.content.get() } == [["name": "a"], ["name": "b"], ["name": "c"]])
        #expect(yaml.map(\.index) == [1, 2, 3])
        #expect(yaml.map(\.line) == [1, 1, 3])
    }

    @Test func malformedJSONNamesItsLine() {
        let documents = DocumentStream.documents(in: "{\n  \"name\": \"a\",\n}\n", format: .json)
        guard case .failure(let error) = documents.first?.content else { Issue.record("malformed JSON is a failure"); return }
        #expect(error.description.contains("line 3"), "\(error)")
    }
}
