namespace LockLab.Contracts;

/// <summary>
/// Builds a run's summary from its events as they arrive, keeping only what the summary needs: a compact record per
/// write (for the lost-update ledger), the printed values, and running totals per process. A run of three million
/// events is summarized without holding them (about 30 bytes per write instead of ≈ 150 per event), so the server can
/// let its events go to the history while it runs.
/// </summary>
/// <remarks>
/// A summary lists at most <see cref="RunSummary.ListLimit"/> printed values and <see cref="RunSummary.LostWritesListLimit"/>
/// lost writes (the counts stay exact): it travels with the run to every page, and a million printed values are the
/// run's events, a click away, not its summary.
/// </remarks>
public sealed class RunSummaryCollector(RunParameters parameters)
{
    private readonly Dictionary<int, WriteLedger> _ledgers = []; // by round, from 1
    private readonly List<long> _printed = [];
    private long _printedTotal;
    private readonly SortedDictionary<int, List<long>>? _printsByRound = parameters.Rounds > 1 && parameters.ReportsSteps ? new() : null;
    private readonly Dictionary<string, ProcessTotals> _processes = new(StringComparer.Ordinal);

    private sealed class ProcessTotals
    {
        public double LockWaitMs;
        public double WaitingSince = double.NaN;
        public int Writes;
    }

    public void Add(IEnumerable<RunEvent> events)
    {
        foreach (var e in events) Add(e);
    }

    /// <summary>Takes in the next event of the run, in <c>seq</c> order.</summary>
    public void Add(RunEvent e)
    {
        if (!_processes.TryGetValue(e.Process, out var totals)) _processes[e.Process] = totals = new ProcessTotals();
        switch (e.Kind)
        {
            case EventKind.Print:
                _printedTotal++;
                if (_printed.Count < RunSummary.ListLimit) _printed.Add(e.Value);
                if (_printsByRound is not null)
                {
                    var round = e.Round ?? 1;
                    if (!_printsByRound.TryGetValue(round, out var printed)) _printsByRound[round] = printed = [];
                    printed.Add(e.Value);
                }
                break;
            case EventKind.LockWait:
                totals.WaitingSince = e.AtMs;
                break;
            case EventKind.LockAcquired when !double.IsNaN(totals.WaitingSince):
                totals.LockWaitMs += e.AtMs - totals.WaitingSince;
                totals.WaitingSince = double.NaN;
                break;
            case EventKind.Write:
                totals.Writes++;
                break;
        }
        // Only a run that reports its steps has writes to account for; a stress run reports its rounds' outcomes.
        if (parameters.ReportsSteps && e.Kind is EventKind.Read or EventKind.Write) LedgerFor(e.Round ?? 1).Add(e);
    }

    private WriteLedger LedgerFor(int round)
    {
        if (!_ledgers.TryGetValue(round, out var ledger))
        {
            _ledgers[round] = ledger = new WriteLedger(parameters.Processes, parameters.Iterations);
        }
        return ledger;
    }

    /// <param name="actualFinalValue">The shared value at the end (of the last round).</param>
    /// <param name="roundFinalValues">A run of several rounds: the shared value at the end of each round.</param>
    public RunSummary Build(long actualFinalValue, double durationMs, IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes,
        IReadOnlyList<long>? roundFinalValues = null)
    {
        var perProcess = processes
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p =>
            {
                var totals = _processes.GetValueOrDefault(p.Key);
                return new ProcessSummary(p.Key, p.Value.Pid, p.Value.ExitCode, Math.Round(totals?.LockWaitMs ?? 0, 3),
                    totals?.Writes ?? 0);
            })
            .ToArray();

        // Each round starts again from 0, so each has its own chain of writes to the value it ended at.
        var finals = roundFinalValues is { Count: > 0 } ? roundFinalValues : [actualFinalValue];
        var lost = new List<LostWrite>();
        var lostCount = 0;
        var problems = new List<string>();
        for (var round = 1; parameters.ReportsSteps && round <= finals.Count; round++)
        {
            var ledger = _ledgers.GetValueOrDefault(round) ?? new WriteLedger();
            var (listed, count, amount) = ledger.Lost(Math.Max(0, RunSummary.LostWritesListLimit - lost.Count));
            lost.AddRange(listed);
            lostCount += count;
            var roundProblems = ledger.Check(parameters, finals[round - 1], amount);
            problems.AddRange(finals.Count > 1 ? roundProblems.Select(p => $"Round {round}: {p}") : roundProblems);
        }

        IReadOnlyList<Outcome>? outcomes = parameters.Rounds <= 1 ? null
            : parameters.ReportsSteps ? RoundOutcomes.FromRoundPrints(parameters, _printsByRound!)
            : RoundOutcomes.FromFinalValues(parameters, finals);
        return new RunSummary(parameters.ExpectedFinalValue, actualFinalValue, lostCount, durationMs, _printed.ToArray(), perProcess, lost,
            Outcomes: outcomes, Discrepancy: problems.Count > 0 ? string.Join(" ", problems) : null,
            PrintedTotal: _printedTotal > _printed.Count ? _printedTotal : null);
    }
}
