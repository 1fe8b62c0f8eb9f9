using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Server.Runs;

/// <summary>A request that passed validation: its scenario, room and fully resolved parameters, and the program its
/// processes execute (the scenario's, or the request's own, checked against the lab's program limits).</summary>
public sealed record ValidRunRequest(ScenarioInfo Scenario, string Room, RunParameters Parameters, ExperimentProgram Program);

/// <summary>
/// Checks a run request against its scenario's limits and resolves it. The same rules serve the REST API
/// (as a validation problem) and the hub (as a hub error), so both say exactly which field is wrong and why.
/// </summary>
public sealed class RunRequestValidator(ScenarioCatalog scenarios)
{
    public bool TryValidate(RunRequest request, string defaultRoom, out ValidRunRequest? valid, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        valid = null;
        if (request.Program is not null) return TryValidateProgram(request, defaultRoom, out valid, errors);
        if (FindScenario(request.Scenario, errors) is not { } scenario) return false;
        var room = request.Room ?? defaultRoom;
        if (!RoomNames.IsValid(room)) errors["room"] = [RoomNames.Rule];
        var parameters = Resolve(request, scenario, errors);
        if (errors.Count == 0 && Scenarios.IsClassic(scenario.Name)) CheckTotals(parameters, errors);
        if (errors.Count > 0) return false;
        valid = new ValidRunRequest(scenario, room, parameters, ScenarioCatalog.ProgramFor(scenario.Name, parameters));
        return true;
    }

    /// <summary>
    /// A request that gives its own program: read and checked against the lab's program limits (each error names its
    /// process and step, and its line in the text form); the program says what the scenario's parameters would, so
    /// those may not be given beside it. The start mode and live or step mode stay the request's.
    /// </summary>
    private bool TryValidateProgram(RunRequest request, string defaultRoom, out ValidRunRequest? valid, Dictionary<string, string[]> errors)
    {
        valid = null;
        if (request.Scenario is not null) errors["scenario"] = [ProgramRequestTexts.ScenarioAndProgram];
        foreach (var (field, given) in new (string, bool)[]
        {
            ("processes", request.Processes is not null), ("iterations", request.Iterations is not null),
            ("amounts", request.Amounts is not null), ("delayMs", request.DelayMs is not null),
            ("gapMs", request.GapMs is not null), ("lock", request.Lock is not null), ("permits", request.Permits is not null),
        })
        {
            if (given) errors[field] = [ProgramRequestTexts.SetByTheProgram];
        }
        if (request.Rounds is not (null or 1)) errors["rounds"] = [ProgramRequestTexts.OneRound];
        var room = request.Room ?? defaultRoom;
        if (!RoomNames.IsValid(room)) errors["room"] = [RoomNames.Rule];
        var startMode = request.StartMode ?? StartMode.Lesson;
        if (!Enum.IsDefined(startMode)) errors["startMode"] = [StartModes.Rule];
        var mode = CheckMode(request.Mode ?? RunMode.Live, reportsSteps: true, rounds: 1, errors);
        var read = ProgramReader.Read(request.Program!, scenarios.Programs);
        if (!read.IsValid) errors["program"] = [.. read.Errors.Select(e => e.ToString())];
        if (errors.Count > 0 || !read.IsValid) return false;
        var processes = read.Program.Processes.Count;
        var parameters = scenarios.ProgramScenario.Defaults with
        {
            Processes = processes,
            Amounts = new int[processes],
            StartMode = mode == RunMode.Step ? StartMode.Simultaneous : startMode,
            Mode = mode,
        };
        valid = new ValidRunRequest(scenarios.ProgramScenario, room, parameters, read.Program);
        return true;
    }

    private ScenarioInfo? FindScenario(string? name, Dictionary<string, string[]> errors)
    {
        if (scenarios.Find(name) is { } scenario) return scenario;
        var known = string.Join(", ", scenarios.All.Select(s => s.Name));
        errors["scenario"] = [string.IsNullOrWhiteSpace(name)
            ? $"A scenario is required: one of {known}."
            : $"Unknown scenario '{name}'. Known: {known}."];
        return null;
    }

    /// <summary>The request's parameters over the scenario's defaults, each checked against the scenario's limits.</summary>
    private static RunParameters Resolve(RunRequest request, ScenarioInfo scenario, Dictionary<string, string[]> errors)
    {
        var d = scenario.Defaults;
        var limits = scenario.Limits;
        var processes = Check(errors, "processes", request.Processes ?? d.Processes,
            limits.Processes with { Max = Math.Min(limits.Processes.Max, LockLab.SharedMemory.SharedSegment.MaxProcesses) });
        var iterations = Check(errors, "iterations", request.Iterations ?? d.Iterations, limits.Iterations);
        var delayMs = Check(errors, "delayMs", request.DelayMs ?? d.DelayMs, limits.DelayMs);
        var gapMs = Check(errors, "gapMs", request.GapMs ?? d.GapMs, limits.GapMs);
        // Amounts depend on the process count: only worth resolving (and allocating) when that count is valid.
        var amounts = errors.ContainsKey("processes") ? [] : ResolveAmounts(errors, request.Amounts, d.Amounts, processes, limits.Amount);
        var rounds = Check(errors, "rounds", request.Rounds ?? d.Rounds, limits.Rounds);
        var startMode = request.StartMode ?? d.StartMode;
        if (!Enum.IsDefined(startMode)) errors["startMode"] = [StartModes.Rule];
        var lockScope = request.Lock ?? d.Lock;
        if (!Enum.IsDefined(lockScope)) errors["lock"] = ["Must be 'none', 'loop' or 'step'."];
        var mode = CheckMode(request.Mode ?? d.Mode, d.ReportsSteps, rounds, errors);
        int? permits = null;
        if (limits.Permits is { } permitRange) permits = Check(errors, "permits", request.Permits ?? d.Permits ?? permitRange.Min, permitRange);
        else if (request.Permits is not null) errors["permits"] = [ProgramRequestTexts.NoPermits];
        // In step mode the presenter decides who moves first, so nobody is held at the start gate.
        if (mode == RunMode.Step) startMode = StartMode.Simultaneous;
        return d with
        {
            Processes = processes,
            Iterations = iterations,
            Amounts = amounts,
            DelayMs = delayMs,
            GapMs = gapMs,
            StartMode = startMode,
            Lock = lockScope,
            Mode = mode,
            Rounds = rounds,
            Permits = permits,
        };
    }

    private static RunMode CheckMode(RunMode mode, bool reportsSteps, int rounds, Dictionary<string, string[]> errors)
    {
        if (!Enum.IsDefined(mode)) errors["mode"] = ["Must be 'live' or 'step'."];
        else if (mode == RunMode.Step && !reportsSteps)
            errors["mode"] = ["A stress run repeats itself many times; it cannot be stepped by hand."];
        else if (mode == RunMode.Step && rounds > 1)
            errors["mode"] = ["A run repeated round after round cannot be stepped by hand: " +
                "ask for one round (rounds: 1) or a live run."];
        return mode;
    }

    /// <summary>What a run of valid parameters would add up to: the shared value's range, and the events it reports.</summary>
    private void CheckTotals(RunParameters p, Dictionary<string, string[]> errors)
    {
        // The shared value is a 32-bit integer, as Python's Value('i') is: no run may be able to carry it past that,
        // whichever of its updates are lost (a partial sum of the amounts is at most the sum of their sizes).
        if (p.Amounts.Sum(a => (long)Math.Abs(a)) * p.Iterations > int.MaxValue)
        {
            errors["iterations"] = [$"The shared value is a 32-bit integer, as Python's Value('i') is: " +
                $"{p.Iterations} iterations of amounts {string.Join(", ", p.Amounts)} could carry it past " +
                $"{int.MaxValue:N0}."];
            return;
        }
        // Every reported step is an event the server keeps and sends: refuse up front a run that would be stopped for
        // reporting too many, rather than let it run into the limit.
        if (p.ReportsSteps && EventsReported(p.Processes, p.Iterations, p.Lock, p.Rounds) is var events
            && events > scenarios.Limits.MaxEventsPerRun)
        {
            errors[p.Rounds > 1 ? "rounds" : "iterations"] = [$"This run would report {events:N0} events; the server " +
                $"allows {scenarios.Limits.MaxEventsPerRun:N0} per run (LockLab:Limits:MaxEventsPerRun)."];
        }
    }

    /// <summary>
    /// The events a run that reports its steps sends: per increment a read, a write and a print, with a per-step lock
    /// also its wait, acquisition and release; a whole-loop lock those three once per round; and each process's exit.
    /// </summary>
    public static long EventsReported(int processes, int iterations, LockScope lockScope, int rounds)
    {
        long perIncrement = lockScope == LockScope.PerStep ? 6 : 3;
        long perRound = lockScope == LockScope.WholeLoop ? 3 : 0;
        return (long)rounds * processes * (iterations * perIncrement + perRound) + processes;
    }

    private static int Check(Dictionary<string, string[]> errors, string field, int value, IntRange range)
    {
        if (!range.Contains(value)) errors[field] = [$"Must be between {range.Min} and {range.Max}; got {value}."];
        return value;
    }

    /// <summary>
    /// Explicit amounts must name one per process. Without them, the scenario's amounts are cycled
    /// (1, 3, 1, 3, …) so that more processes still give a readable pattern.
    /// </summary>
    private static int[] ResolveAmounts(
        Dictionary<string, string[]> errors, int[]? requested, IReadOnlyList<int> defaults, int processes, IntRange range)
    {
        if (requested is null)
        {
            return Enumerable.Range(0, Math.Max(processes, 0)).Select(i => defaults[i % defaults.Count]).ToArray();
        }
        if (requested.Length != processes)
        {
            errors["amounts"] = [$"Give one amount per process: {processes} expected, got {requested.Length}."];
        }
        else if (requested.Where(a => !range.Contains(a)).Select(a => (int?)a).FirstOrDefault() is int bad)
        {
            errors["amounts"] = [$"Each amount must be between {range.Min} and {range.Max}; got {bad}."];
        }
        return requested;
    }
}
