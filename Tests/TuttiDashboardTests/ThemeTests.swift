import Foundation
import Testing
import TuttiCore
@testable import TuttiDashboard

/// Theme files: the shipped ones load, broken ones name the line, colours degrade.
@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("themes").path

    @Test func theShippedDarkThemeIsTheBuiltInDefault() throws {
        let dark = try Theme.load("dark", searchDirectories: [Self.themes])
        #expect(dark.styles == Theme.dark.styles)
        #expect(!dark.monochrome)
    }

    @Test func lightAndMonochromeLoad() throws {
        let light = try Theme.load("light", searchDirectories: [Self.themes])
        #expect(light.style(for: .failed) == RoleStyle(.rgb(0xd7, 0, 0), bold: true))
        let mono = try Theme.load("monochrome", searchDirectories: [Self.themes])
        #expect(mono.monochrome)
    }

    @Test func missingRolesFallBackToTheDefault() throws {
        let theme = try Theme.parse("failed = bright-red on black bold\n", file: "mine.theme")
        #expect(theme.style(for: .failed) == RoleStyle(.indexed(9), on: .indexed(0), bold: true))
        #expect(theme.style(for: .running) == Theme.dark.style(for: .running))
    }

    @Test func aBrokenThemeNamesEveryBadLine() {
        do {
            _ = try Theme.parse("# mine\nrunning = cyan\nrunnnig = blue\nfailed = purplish\nborder\n", file: "mine.theme")
            Issue.record("a broken theme was accepted")
        } catch {
            #expect(error.diagnostics.map(\.location.line) == [3, 4, 5])
            #expect(error.diagnostics[0].description.hasPrefix("mine.theme:3:1: error: unknown role 'runnnig'"))
            #expect(error.diagnostics[0].hint == "did you mean 'running'?")
            #expect(error.diagnostics[1].message == "unknown colour 'purplish'")
        }
    }

    @Test func anUnknownThemeNameListsTheKnownOnes() {
        do {
            _ = try Theme.load("solarized", searchDirectories: [Self.themes])
            Issue.record("an unknown theme was accepted")
        } catch {
            #expect(error.diagnostics.first?.hint?.contains("dark, light, monochrome") == true)
        }
    }

    @Test func coloursDegradeToWhatTheTerminalHas() {
        #expect(ThemeColor.rgb(0xd7, 0, 0).index(forTerminalWith: 256) == 160)
        #expect(ThemeColor.rgb(0xd7, 0, 0).index(forTerminalWith: 16) == 1)
        #expect(ThemeColor.rgb(0xff, 0, 0).index(forTerminalWith: 16) == 9)
        #expect(ThemeColor.rgb(0xff, 0, 0).index(forTerminalWith: 8) == 1)
        #expect(ThemeColor.indexed(9).index(forTerminalWith: 8) == 1)
        #expect(ThemeColor.indexed(208).index(forTerminalWith: 256) == 208)
        #expect(ThemeColor.terminalDefault.index(forTerminalWith: 8) == -1)
        #expect(ThemeColor.indexed(8).index(forTerminalWith: 8) == 7, "grey stays grey (white), not yellow")
        #expect(ThemeColor.rgb(0x80, 0x80, 0x80).index(forTerminalWith: 16) == 8)
    }
}
