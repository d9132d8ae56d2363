import FleetCore
import FleetJSON
import Testing

/// `--input NAME=@FILE.json` and `--input NAME=JSON`.
@Suite struct TensorArgumentTests {
    @Test func argumentsNameAFileOrCarryTheTensor() throws {
        #expect(try TensorArgument(parsing: "x=@in/x.json") == TensorArgument(name: "x", source: .file("in/x.json")))
        #expect(try TensorArgument(parsing: #"in:0={"shape": [1], "data": [2]}"#)
                    == TensorArgument(name: "in:0", source: .inline(#"{"shape": [1], "data": [2]}"#)))
        #expect(try TensorArgument(parsing: "x=@a=b.json") == TensorArgument(name: "x", source: .file("a=b.json")), "the first = splits")
        let bad = [("x", "--input 'x' must be NAME=@FILE.json or NAME=JSON"), ("=@f.json", "--input '=@f.json' names no input before '='"),
                   ("x=", "--input 'x=' gives no tensor after '='"), ("x=@", "--input 'x=@' names no file after '@'")]
        for (text, message) in bad {
            #expect { try TensorArgument(parsing: text) } throws: { "\($0)" == message }
        }
    }

    @Test func tensorsAreReadCheckedAndKeyedByName() throws {
        let files = ["a.json": #"{"shape": [2], "data": [1, 2], "dtype": "int8"}"#, "bad.json": #"{"shape": [3], "data": [1]}"#]
        let read: (String) throws -> [UInt8] = { path in
            guard let text = files[path] else { throw TensorArgument.Failure("cannot read \(path)") }
            return Array(text.utf8)
        }
        let tensors = try TensorArgument.tensors([TensorArgument(name: "a", source: .file("a.json")),
                                                  TensorArgument(name: "b", source: .inline(#"{"shape": [], "data": [0.5]}"#))], readFile: read)
        #expect(tensors["a"] == (try TensorPayload(shape: [2], elements: .int8([1, 2]))))
        #expect(tensors["b"] == (try TensorPayload(shape: [], elements: .float32([0.5]))))
        let failing: [([TensorArgument], String)] = [
            ([TensorArgument(name: "a", source: .file("bad.json"))], "input 'a' from bad.json: data: has 1 elements; shape [3] needs 3"),
            ([TensorArgument(name: "a", source: .file("none.json"))], "cannot read none.json"),
            ([TensorArgument(name: "a", source: .inline("[1, 2]"))], "input 'a' from the command line: expected a JSON object, got array"),
            ([TensorArgument(name: "a", source: .inline("{")), TensorArgument(name: "a", source: .inline("{}"))],
             "input 'a' from the command line: invalid JSON at line 1, column 1: string or '}' expected near end of file"),
            ([TensorArgument(name: "a", source: .file("a.json")), TensorArgument(name: "a", source: .file("a.json"))], "input 'a' is given twice"),
        ]
        for (arguments, message) in failing {
            #expect { try TensorArgument.tensors(arguments, readFile: read) } throws: { "\($0)" == message }
        }
    }
}
