using System.Diagnostics;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.Bench.Suites;

/// <summary>
/// How long the summary of a finished race takes to name its lost writes and the write that erased each, in the
/// worst shape a race takes: one process reads, is preempted, and its late write erases the long chain the others
/// built meanwhile (every write of the chain is lost, and each must be traced to its eraser). A busy machine makes
/// that shape likely, and the run is not finished until its summary is.
/// </summary>
public static class RaceSummaries
{
    private const double TargetMs = 50; // a run is finished only once its summary is: the class must not wait for it

    public static Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("summary", "Race summaries: lost writes traced to their erasers");
        var repeats = context.Repeats(7);
        // 8 × 1,000: the accounting tests' largest race; 66,000: the most writes a run may report (200,000 events).
        int[] chains = context.Quick ? [1_000, 8_000] : [1_000, 8_000, 66_000];
        var rows = new List<IReadOnlyList<string>>();
        double lessonSized = double.NaN;
        foreach (var chain in chains)
        {
            var events = Races.StaleWriteAfterChain(chain);
            var times = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var (listed, count, _) = WriteLedger.From(events).Lost(RunSummary.LostWritesListLimit);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (count != chain || listed.Any(l => l.OverwrittenBySeq != chain + 2))
                    throw new InvalidOperationException($"The chain of {chain} was summed up wrong: {count} lost.");
            }
            if (chain == 8_000) lessonSized = Stats.Median(times);
            rows.Add([chain.ToString("N0"), Math.Min(chain, RunSummary.LostWritesListLimit).ToString("N0"), Stats.Spread(times, "0.0", " ms")]);
        }

        section.Paragraph($"""
            The summary of a finished race names every lost write (up to {RunSummary.LostWritesListLimit:N0}) and the
            write that erased it: the first write after it, in the order the writes landed in memory, that does not
            build on it. The worst shape for that is one process that read, was preempted, and whose late write erased
            the whole chain the others built meanwhile. Here that race is built in memory (one stale write after a chain
            of N, each write on the one before) and summed up with the lab's own `WriteLedger`, {repeats} times each
            (median, then the range).
            """);
        section.Table(["Chain (writes lost)", ">Traced to their eraser", ">Time to sum up"], rows);
        section.Paragraph("""
            Before 2026-12-07 the eraser was found by walking forward from each lost write, and up the chain of reads of
            each write passed: cubic in the chain's length. This suite measured that code at 1.7 s for a chain of 1,000
            and 12.6 s for 2,000 (`-- summary --quick`, chains 1,000 and 2,000, on the same machine). A real no-lock run
            of 8 × 1,000 increments (`POST /api/runs`, delay 0) on a busy processor finished 11 s after its last event,
            all of it in its summary; in CI one did not finish within the test's 30 s. The writes now form a tree (each under the write
            whose value it read), numbered depth-first, and a segment tree over memory order finds the first write
            numbered outside a lost write's subtree in O(log n).
            """);
        if (!double.IsNaN(lessonSized))
        {
            section.Target("Summary of an 8,000-write chain erased by one stale write", $"≤ {TargetMs:0} ms",
                $"{lessonSized:0.0} ms", lessonSized <= TargetMs, lessonSized <= TargetMs ? null : $"+{lessonSized - TargetMs:0.0} ms");
        }
        return Task.FromResult(section);
    }
}
