import Testing
@testable import TuttiCore

/// Evaluates a gate written as `threshold` against one metric value (nil: not reported).
private func evaluate(_ threshold: String, _ value: JSONValue?) throws -> GateResult {
    let expectation = try #require(GateExpectation.parse(threshold))
    var metrics: [String: JSONValue] = ["unrelated": .number(1)]
    if let value { metrics["score"] = value }
    return QualityGate(metric: "score", expectation: expectation).evaluate(metrics)
}

/// Parsing gate thresholds as written in workflow YAML.
@Suite struct GateExpectationParseTests {
    @Test func percentagesParseWithAndWithoutOperator() {
        #expect(GateExpectation.parse(">= 95%") == GateExpectation.compare(.greaterOrEqual, 95, .percent))
        #expect(GateExpectation.parse("100%") == GateExpectation.compare(.equal, 100, .percent))
        #expect(GateExpectation.parse(">=95.5 %") == GateExpectation.compare(.greaterOrEqual, 95.5, .percent))
    }

    @Test func scoresOutOfNParse() {
        #expect(GateExpectation.parse(">= 90/100") == GateExpectation.compare(.greaterOrEqual, 90, .outOf(100)))
        #expect(GateExpectation.parse("< 3/10") == GateExpectation.compare(.less, 3, .outOf(10)))
    }

    @Test func everyOperatorParses() {
        #expect(GateExpectation.parse("== 0") == GateExpectation.compare(.equal, 0, .plain))
        #expect(GateExpectation.parse("> 3") == GateExpectation.compare(.greater, 3, .plain))
        #expect(GateExpectation.parse("< 5") == GateExpectation.compare(.less, 5, .plain))
        #expect(GateExpectation.parse("<= 2") == GateExpectation.compare(.lessOrEqual, 2, .plain))
        #expect(GateExpectation.parse("!= 1") == GateExpectation.compare(.notEqual, 1, .plain))
        #expect(GateExpectation.parse(">= 10") == GateExpectation.compare(.greaterOrEqual, 10, .plain))
        #expect(GateExpectation.parse("0.38") == GateExpectation.compare(.equal, 0.38, .plain))
    }

    @Test func wordsParse() {
        #expect(GateExpectation.parse("required") == GateExpectation.required)
        #expect(GateExpectation.parse(" Required ") == GateExpectation.required)
        #expect(GateExpectation.parse("true") == GateExpectation.boolean(true))
        #expect(GateExpectation.parse("false") == GateExpectation.boolean(false))
    }

    @Test func jsonValuesParse() {
        #expect(GateExpectation.parse(JSONValue.bool(true)) == GateExpectation.boolean(true))
        #expect(GateExpectation.parse(JSONValue.bool(false)) == GateExpectation.boolean(false))
        #expect(GateExpectation.parse(JSONValue.number(10)) == GateExpectation.compare(.equal, 10, .plain))
        #expect(GateExpectation.parse(JSONValue.string(">= 95%")) == GateExpectation.compare(.greaterOrEqual, 95, .percent))
        #expect(GateExpectation.parse(JSONValue.null) == nil)
        #expect(GateExpectation.parse(JSONValue.array([.number(1)])) == nil)
    }

    @Test(arguments: ["=> 95", ">= abc%", "", ">=", "95 %%", "=< 3", ">= 90/0", "about 5"])
    func invalidThresholdsAreRejected(_ text: String) {
        #expect(GateExpectation.parse(text) == nil)
    }

    @Test func thresholdTextUsesProseSymbols() {
        let texts = [">= 95%", "100%", ">= 90/100", "== 0", "> 3", "< 5", "<= 2", "!= 1", "required", "true"]
            .map { GateExpectation.parse($0)?.thresholdText }
        #expect(texts == ["≥ 95%", "= 100%", "≥ 90/100", "= 0", "> 3", "< 5", "≤ 2", "≠ 1", "required", "true"])
    }
}

/// Evaluating gates against reported metrics: verdicts, formatting and reasons.
@Suite struct QualityGateEvaluateTests {
    @Test func greaterOrEqualPercentPassesAboveAndAtTheBoundary() throws {
        let above = try evaluate(">= 95%", .number(96.4))
        #expect(above.passed)
        #expect(above.actualText == "96.4%")
        #expect(above.threshold == "≥ 95%")
        #expect(above.metric == "score")
        #expect(above.actual == JSONValue.number(96.4))
        #expect(above.reason == nil)

        let boundary = try evaluate(">= 95%", .number(95))
        #expect(boundary.passed)
        #expect(boundary.actualText == "95%")
    }

    @Test func greaterOrEqualPercentFailsJustBelow() throws {
        let result = try evaluate(">= 95%", .number(94.99))
        #expect(!result.passed)
        #expect(result.actualText == "94.99%")
        #expect(result.reason == "needs ≥ 95%")
    }

    @Test func exactPercent() throws {
        #expect(try evaluate("100%", .number(100)).passed)
        let below = try evaluate("100%", .number(99.5))
        #expect(!below.passed)
        #expect(below.actualText == "99.5%")
    }

    @Test func scoreOutOfNIsFormattedAsAFraction() throws {
        let pass = try evaluate(">= 90/100", .number(93))
        #expect(pass.passed)
        #expect(pass.actualText == "93/100")
        #expect(pass.threshold == "≥ 90/100")
        let fail = try evaluate(">= 90/100", .number(89.5))
        #expect(!fail.passed)
        #expect(fail.actualText == "89.5/100")
        #expect(fail.reason == "needs ≥ 90/100")
    }

    @Test func equalPassesAndFails() throws {
        #expect(try evaluate("== 0", .number(0)).passed)
        let fail = try evaluate("== 0", .number(2))
        #expect(!fail.passed)
        #expect(fail.actualText == "2")
        #expect(fail.reason == "needs = 0")
    }

    @Test func greaterPassesAndFails() throws {
        #expect(try evaluate("> 3", .number(4)).passed)
        #expect(try evaluate("> 3", .number(3)).passed == false)
    }

    @Test func lessPassesAndFails() throws {
        #expect(try evaluate("< 5", .number(4.99)).passed)
        #expect(try evaluate("< 5", .number(5)).passed == false)
    }

    @Test func lessOrEqualPassesAndFails() throws {
        #expect(try evaluate("<= 2", .number(2)).passed)
        #expect(try evaluate("<= 2", .number(2.5)).passed == false)
    }

    @Test func notEqualPassesAndFails() throws {
        #expect(try evaluate("!= 1", .number(0)).passed)
        let fail = try evaluate("!= 1", .number(1))
        #expect(!fail.passed)
        #expect(fail.reason == "needs ≠ 1")
    }

    @Test func metricNeverReportedFails() throws {
        for threshold in [">= 95%", "required", "true"] {
            let result = try evaluate(threshold, nil)
            #expect(!result.passed)
            #expect(result.reason == "not reported")
            #expect(result.actual == nil)
            #expect(result.actualText == "—")
        }
        let null = try evaluate("== 0", .null)
        #expect(!null.passed)
        #expect(null.reason == "not reported")
    }

    @Test func requiredPassesForPresentValues() throws {
        for value: JSONValue in [.bool(true), .string("SOC2"), .number(1), .array([.number(1)])] {
            let result = try evaluate("required", value)
            #expect(result.passed, "\(value)")
            #expect(result.reason == nil)
        }
        #expect(try evaluate("required", .string("SOC2")).actualText == "SOC2")
    }

    @Test func requiredFailsForFalseEmptyAndZero() throws {
        let falsy = try evaluate("required", .bool(false))
        #expect(!falsy.passed)
        #expect(falsy.reason == "required but reported as false")
        let empty = try evaluate("required", .string(""))
        #expect(!empty.passed)
        #expect(empty.reason == "required but reported as empty")
        let zero = try evaluate("required", .number(0))
        #expect(!zero.passed)
        #expect(zero.reason == "required but reported as 0")
        #expect(try evaluate("required", .string("none")).passed == false)
    }

    @Test func booleanGateAgainstBoolAndString() throws {
        let gate = QualityGate(metric: "ok", expectation: .boolean(true))
        let yes = gate.evaluate(["ok": .bool(true)])
        #expect(yes.passed)
        #expect(yes.actualText == "true")
        let no = gate.evaluate(["ok": .bool(false)])
        #expect(!no.passed)
        #expect(no.reason == "expected true, got false")
        #expect(gate.evaluate(["ok": .string("true")]).passed)
        #expect(gate.evaluate(["ok": .string("TRUE")]).passed)
        let word = gate.evaluate(["ok": .string("yes")])
        #expect(!word.passed)
        #expect(word.reason == "expected true, got yes")
        #expect(QualityGate(metric: "ok", expectation: .boolean(false)).evaluate(["ok": .string("false")]).passed)
    }

    @Test func numericGateReadsNumbersWrittenAsStrings() throws {
        let percent = try evaluate(">= 95%", .string("96.5%"))
        #expect(percent.passed)
        #expect(percent.actualText == "96.5%")
        let low = try evaluate(">= 95%", .string("94%"))
        #expect(!low.passed)
        #expect(low.reason == "needs ≥ 95%")
        #expect(try evaluate(">= 90/100", .string("92/100")).passed)
        let text = try evaluate(">= 95%", .string("n/a"))
        #expect(!text.passed)
        #expect(text.reason == "not a number: n/a")
    }
}

/// Number formatting used in gate and report text.
@Suite struct NumberFormatTests {
    @Test func compactDropsNeedlessDecimals() {
        #expect(NumberFormat.compact(95) == "95")
        #expect(NumberFormat.compact(96.4) == "96.4")
        #expect(NumberFormat.compact(3.3333) == "3.33")
        #expect(NumberFormat.compact(-5) == "-5")
        #expect(NumberFormat.compact(0.5) == "0.5")
    }
}

/// Fractions reported as text, and numbers that are not numbers.
@Suite struct GateFractionTests {
    @Test func aFractionIsScaledToTheGatesUnit() {
        let score = QualityGate(metric: "s", expectation: .compare(.greaterOrEqual, 90, .outOf(100)))
        #expect(score.evaluate(["s": .string("9/10")]).passed)
        #expect(!score.evaluate(["s": .string("8/10")]).passed)
        let percent = QualityGate(metric: "p", expectation: .compare(.greaterOrEqual, 95, .percent))
        #expect(percent.evaluate(["p": .string("19/20")]).passed)
        #expect(!percent.evaluate(["p": .string("18/20")]).passed)
    }

    @Test(arguments: [">= nan%", ">= inf", "== nan", ">= 90/inf"])
    func notANumberIsNotAThreshold(_ text: String) {
        #expect(GateExpectation.parse(text) == nil)
    }
}
