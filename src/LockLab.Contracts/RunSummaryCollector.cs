using LockLab.Contracts.Experiments;

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
/// <param name="program">A run of a program other than the lesson's five experiments: its writes are accounted for per
/// shared integer (each event names its integer when there are several), against what the program adds up to when
/// nothing races (<see cref="SequentialRun"/>). Null: the classic run of one counter, as it always was.</param>
public sealed class RunSummaryCollector(RunParameters parameters, ExperimentProgram? program = null)
{
    private readonly Dictionary<(int Round, string? Integer), WriteLedger> _ledgers = []; // by round, from 1, and integer
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
        if (parameters.ReportsSteps && e.Kind is EventKind.Read or EventKind.Write) LedgerFor(e.Round ?? 1, IntegerOf(e)).Add(e);
    }

    /// <summary>The shared integer a program's read or write is about: the one it names, or the only one there is.</summary>
    private string? IntegerOf(RunEvent e) => program is null ? null : e.Target ?? program.Shared.FirstOrDefault()?.Name;

    private WriteLedger LedgerFor(int round, string? integer)
    {
        if (!_ledgers.TryGetValue((round, integer), out var ledger))
        {
            _ledgers[(round, integer)] = ledger = program is null
                ? new WriteLedger(parameters.Processes, parameters.Iterations)
                : new WriteLedger { InitialValue = program.Shared.FirstOrDefault(s => s.Name == integer)?.Initial ?? 0 };
        }
        return ledger;
    }

    /// <param name="actualFinalValue">The shared value at the end (of the last round).</param>
    /// <param name="roundFinalValues">A run of several rounds: the shared value at the end of each round.</param>
    public RunSummary Build(long actualFinalValue, double durationMs, IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes,
        IReadOnlyList<long>? roundFinalValues = null)
    {
        if (program is not null)
        {
            return BuildForProgram(program.Shared.Count > 0 ? [actualFinalValue] : [], durationMs, processes, ranToTheEnd: true);
        }
        var perProcess = PerProcess(processes);

        // Each round starts again from 0, so each has its own chain of writes to the value it ended at.
        var finals = roundFinalValues is { Count: > 0 } ? roundFinalValues : [actualFinalValue];
        var lost = new List<LostWrite>();
        var lostCount = 0;
        var problems = new List<string>();
        for (var round = 1; parameters.ReportsSteps && round <= finals.Count; round++)
        {
            var ledger = _ledgers.GetValueOrDefault((round, null)) ?? new WriteLedger();
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

    private ProcessSummary[] PerProcess(IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes) => processes
        .OrderBy(p => p.Key, StringComparer.Ordinal)
        .Select(p =>
        {
            var totals = _processes.GetValueOrDefault(p.Key);
            return new ProcessSummary(p.Key, p.Value.Pid, p.Value.ExitCode, Math.Round(totals?.LockWaitMs ?? 0, 3),
                totals?.Writes ?? 0);
        })
        .ToArray();

    /// <summary>
    /// A program's summary: each shared integer's expected and final value and the updates lost on it (listed in
    /// <see cref="RunSummary.SharedValues"/> when there are several); the summary's own fields are the first integer's.
    /// </summary>
    /// <param name="finalValues">Each shared integer's value at the end, in declaration order.</param>
    /// <param name="ranToTheEnd">False for a run cut short (a deadlock): its writes are accounted for, but not held
    /// against a program that never finished.</param>
    public RunSummary BuildForProgram(IReadOnlyList<long> finalValues, double durationMs,
        IReadOnlyDictionary<string, (int Pid, int? ExitCode)> processes, bool ranToTheEnd)
    {
        var run = program ?? throw new InvalidOperationException("Not a program's run.");
        var sequential = SequentialRun.Of(run);
        var values = new List<SharedValueSummary>();
        var problems = new List<string>();
        List<LostWrite> firstLost = [];
        for (var i = 0; i < run.Shared.Count; i++)
        {
            var name = run.Shared[i].Name;
            var ledger = _ledgers.GetValueOrDefault((1, name)) ?? new WriteLedger { InitialValue = run.Shared[i].Initial };
            var actual = i < finalValues.Count ? finalValues[i] : run.Shared[i].Initial;
            var (listed, count, amount) = ledger.Lost(RunSummary.LostWritesListLimit);
            if (i == 0) firstLost = listed;
            var expectedWrites = sequential.Events.LongCount(e => e.Kind == EventKind.Write && e.Name == name);
            var found = ledger.Check(ranToTheEnd ? expectedWrites : null, ranToTheEnd ? sequential.FinalValues[name] : null, actual, amount);
            problems.AddRange(run.Shared.Count > 1 ? found.Select(p => $"{name}: {p}") : found);
            values.Add(new SharedValueSummary(name, sequential.FinalValues[name], actual, count));
        }
        var first = values.FirstOrDefault();
        return new RunSummary(first?.ExpectedFinalValue ?? 0, first?.ActualFinalValue ?? 0, first?.LostUpdates ?? 0, durationMs,
            _printed.ToArray(), PerProcess(processes), firstLost,
            Discrepancy: problems.Count > 0 ? string.Join(" ", problems) : null,
            PrintedTotal: _printedTotal > _printed.Count ? _printedTotal : null,
            SharedValues: values.Count > 1 ? values : null);
    }
}
