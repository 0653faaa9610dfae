import OneVisitDomain
import Testing

@Suite("Text input")
struct TextInputTests {
    @Test func controlCharacters_areRefused_lineBreaksAndTabsAllowed() {
        #expect(TextInput.hasControlCharacter("食品\u{0}"))
        #expect(TextInput.hasControlCharacter("a\u{7F}b"))
        #expect(TextInput.hasControlCharacter("\u{1B}[31m"))
        #expect(!TextInput.hasControlCharacter("第一行\r\n第二行\t完"))
        #expect(!TextInput.hasControlCharacter("郑州市金水区 100 号"))
    }

    @Test func jsonEscapes_ofControlCharacters_areFound_escapedBackslashesAreNot() {
        #expect(TextInput.jsonHasControlEscape(Array(#"{"q":"食品\u0000"}"#.utf8)))
        #expect(TextInput.jsonHasControlEscape(Array(#"{"q":"a\u001F"}"#.utf8)))
        #expect(TextInput.jsonHasControlEscape(Array(#"{"q":"a\u007f"}"#.utf8)))
        #expect(TextInput.jsonHasControlEscape(Array(#"{"q":"a\b"}"#.utf8)))
        #expect(!TextInput.jsonHasControlEscape(Array(#"{"q":"a\\u0000 is text"}"#.utf8)))
        #expect(!TextInput.jsonHasControlEscape(Array(#"{"q":"行\n行\t\u4e2d\"\\"}"#.utf8)))
        #expect(!TextInput.jsonHasControlEscape(Array(#"{"q":"truncated\u00"#.utf8)))
    }
}
