using System.Globalization;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Client.Components.Live;

/// <summary>
/// The teacher's changes to an experiment (the panel's "Change the experiment" form): each field left empty keeps
/// the scenario's own value. The server checks every value against the same limits the form shows.
/// </summary>
public sealed class ExperimentSettings
{
    public StartMode StartMode { get; set; }
    public bool StepMode { get; set; }
    public int? Processes { get; set; }
    public int? Iterations { get; set; }
    public string? Amounts { get; set; }
    public int? DelayMs { get; set; }
    public int? GapMs { get; set; }
    public LockScope? Lock { get; set; }
    public int? Rounds { get; set; }

    /// <summary>Slow motion for live runs: every sleep and read–write gap lasts this many times longer.</summary>
    public int SlowMotion { get; set; } = 1;

    /// <summary>
    /// The program as edited on the page (its text form), when the page's experiment is a program; null: the page's
    /// own. The server reads and checks it as any request's program, and says which line is wrong.
    /// </summary>
    public string? ProgramText { get; set; }

    public void Reset(RunRequest? experiment)
    {
        StartMode = experiment?.StartMode ?? StartMode.Lesson;
        StepMode = experiment?.Mode == RunMode.Step;
        Processes = Iterations = DelayMs = GapMs = Rounds = null;
        Amounts = null;
        Lock = null;
        SlowMotion = 1;
        ProgramText = null;
    }

    /// <summary>The request to send: the base request (a scenario, maybe a lesson page's overrides) with these changes.</summary>
    public RunRequest Apply(RunRequest request, ScenarioInfo? scenario)
    {
        // A program says what each process does: of these settings only the edited program, how the processes start and
        // step mode apply.
        if (request.Program is not null)
        {
            return request with
            {
                Program = ProgramText is { } edited ? ProgramSource.FromText(edited) : request.Program,
                StartMode = StartMode,
                Mode = StepMode ? RunMode.Step : request.Mode,
            };
        }
        var d = scenario?.Defaults;
        var delay = DelayMs ?? request.DelayMs ?? d?.DelayMs;
        var gap = GapMs ?? request.GapMs ?? d?.GapMs;
        return request with
        {
            StartMode = StartMode,
            Mode = StepMode && request.Scenario != Scenarios.Stress ? RunMode.Step : request.Mode,
            Processes = Processes ?? request.Processes,
            Iterations = Iterations ?? request.Iterations,
            Amounts = ParseAmounts(Amounts) ?? request.Amounts,
            DelayMs = SlowMotion > 1 ? delay * SlowMotion : DelayMs ?? request.DelayMs,
            GapMs = SlowMotion > 1 ? gap * SlowMotion : GapMs ?? request.GapMs,
            Lock = Lock ?? request.Lock,
            Rounds = request.Scenario == Scenarios.Stress ? Rounds ?? request.Rounds : request.Rounds,
        };
    }

    /// <summary>
    /// The name an experiment's runs go by: its scenario, or <see cref="Scenarios.Program"/> for a lesson's program of
    /// its own (a request with a program names no scenario); null for no experiment.
    /// </summary>
    public static string? NameOf(RunRequest? experiment) =>
        experiment?.Scenario ?? (experiment?.Program is not null ? Scenarios.Program : null);

    /// <summary>Why the amounts text cannot be used, or null.</summary>
    public string? AmountsError => string.IsNullOrWhiteSpace(Amounts) || ParseAmounts(Amounts) is not null
        ? null
        : "Whole numbers, one per process, e.g. 1, 3";

    /// <summary>"1, 3" or "1 3" → [1, 3]; null when empty or unreadable.</summary>
    public static int[]? ParseAmounts(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i])) return null;
        }
        return values;
    }
}
