import Foundation
import Synchronization
import Testing
import TuttiTestSupport
@testable import TuttiCore

/// A run's listing of its Slurm jobs: one `squeue` serves every attempt that looks meanwhile,
/// and each attempt finds its own job in it. A script answers as squeue does and counts its
/// calls (the cluster tests run the real one).
@Suite struct SlurmQueueTests {
    /// A stand-in for squeue: it writes its arguments and SLURM_TIME_FORMAT to `calls`, a
    /// line a call, then lists what `listing` holds (or fails, when there is no such file).
    /// Run by /bin/sh rather than executed: a script just written may still be open for
    /// writing in a process another test forked meanwhile (exec would fail, ETXTBSY).
    static func fakeSqueue(in scratch: Scratch) -> [String] {
        let script = scratch.write("squeue", """
        #!/bin/sh
        echo "$SLURM_TIME_FORMAT $*" >> '\(scratch.file("calls"))'
        exec cat '\(scratch.file("listing"))'
        """)
        return ["/bin/sh", script]
    }

    static func calls(_ scratch: Scratch) -> [String] {
        (scratch.read("calls") ?? "").split(separator: "\n").map(String.init)
    }

    @Test func attemptsLookingTogetherShareOneSqueue() throws {
        let scratch = Scratch()
        scratch.write("listing", "101|PENDING|Resources|(null)|0|tutti task=a attempt=1\n")
        let queue = SlurmQueue(jobName: "tutti-r1", squeue: Self.fakeSqueue(in: scratch))
        // Eight attempts looking five times each, while one listing is young enough for them.
        let answers = Mutex<[[String]?]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<5 {
                let lines = queue.listing(maxAge: 60)?.lines
                answers.withLock { $0.append(lines) }
            }
        }
        #expect(answers.withLock { $0 } == Array(repeating: ["101|PENDING|Resources|(null)|0|tutti task=a attempt=1"], count: 40))
        #expect(Self.calls(scratch).count == 1, "\(Self.calls(scratch))")
        // One that must know now asks again.
        let fresh = try #require(queue.listing(maxAge: 0))
        #expect(Self.calls(scratch).count == 2 && fresh.age >= 0 && fresh.age < 60)
        // This user's jobs of the run, in every state, with times in seconds since 1970.
        #expect(Self.calls(scratch)[0] == "%s --me --noheader --states=all --name=tutti-r1 --format=%i|%T|%r|%N|%S|%k")
    }

    @Test func eachAttemptFindsItsOwnJobInTheSharedListing() throws {
        let scratch = Scratch()
        scratch.write("listing", """
        101|PENDING|Resources|(null)|1700000300|tutti task=a attempt=1
        102|RUNNING|None|n2|1700000005|tutti task=b attempt=1
        103|RUNNING|None|n3|1700000006|tutti task=b attempt=2

        """)
        let queue = SlurmQueue(jobName: "tutti-r1", squeue: Self.fakeSqueue(in: scratch))
        let a = SlurmJob(SlurmSubmission(runID: "r1", task: "a", attempt: 1), queue: queue)
        let b = SlurmJob(SlurmSubmission(runID: "r1", task: "b", attempt: 2), queue: queue)
        let seenA = a.look(now: 10, maxAge: 60)
        let seenB = b.look(now: 10, maxAge: 60)
        // A waiting job's start is only Slurm's estimate: not kept.
        #expect(seenA.sighting == SlurmJob.Sighting(id: "101", state: "PENDING", reason: "Resources", node: nil, startedAt: nil))
        #expect(seenA.changed && !a.hasRun)
        #expect(seenB.sighting == SlurmJob.Sighting(id: "103", state: "RUNNING", reason: nil, node: "n3", startedAt: 1_700_000_006))
        #expect(b.hasRun)
        #expect(Self.calls(scratch).count == 1, "both attempts read one listing")
        // Seen again unchanged: not a change to tell.
        #expect(!a.look(now: 11, maxAge: 60).changed)
        // Seen waiting at the listing's time, not later: the run's time starts after it.
        #expect(a.runStart(srunStarted: 0, now: 20, offset: 1_700_000_000) <= 11)
    }

    @Test func aSqueueThatFailsIsAskedAgainAndTheLastSightingKept() throws {
        let scratch = Scratch()
        scratch.write("listing", "101|RUNNING|None|n1|1700000000|tutti task=a attempt=1\n")
        let queue = SlurmQueue(jobName: "tutti-r1", squeue: Self.fakeSqueue(in: scratch))
        let job = SlurmJob(SlurmSubmission(runID: "r1", task: "a", attempt: 1), queue: queue)
        #expect(job.look(now: 1, maxAge: 0).sighting?.id == "101")
        try FileManager.default.removeItem(atPath: scratch.file("listing"))
        #expect(queue.listing(maxAge: 0) == nil, "cat fails: squeue failed")
        let failed = job.refresh(maxAge: 0)
        #expect(failed.sighting?.id == "101" && !failed.changed && failed.age == nil)
        #expect(Self.calls(scratch).count == 3, "a failed listing is not kept: each look asks again")
    }
}
