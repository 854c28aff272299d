import DLSupport
import Testing

@Suite struct JSONTests {
    @Test func escapesAndOrders() {
        let value: JSON = .object([("b", 1), ("a", .array(["x\"y\\z\n\u{1}", 2.5, .number(.nan), true, .null]))])
        #expect(value.text() == #"{"b":1,"a":["x\"y\\z\n\u0001",2.5,null,true,null]}"#)
        #expect(JSON.object([("k", [1, 2])]).text(indent: 1) == "{\n \"k\": [\n  1,\n  2\n ]\n}")
        #expect(JSON.array([]).text() == "[]" && JSON.object([]).text() == "{}")
    }
}
