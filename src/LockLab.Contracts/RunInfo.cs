using System.Text.Json.Serialization;

namespace LockLab.Contracts;

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>Cut off by a server restart.</summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
    /// <summary>Every process of a cycle held a lock the next one waited for: none could ever move. The lab saw the cycle in
    /// the run's wait-for graph, ended the workers and names the cycle in the summary (<see cref="RunSummary.Deadlock"/>).</summary>
    [JsonStringEnumMemberName("deadlocked")] Deadlocked,
}

/// <summary>A run as the REST API and the hub describe it.</summary>
/// <param name="Student">A run a student started (not the presenter): the label the room gave the student ("Student 3").
/// Null for the presenter's runs.</param>
/// <param name="QueuePosition">A student's run still waiting: its place in the students' queue (1: next to start).</param>
/// <param name="ShownAt">A student's run the presenter showed to the whole room: when. Until then only the student (and the
/// presenter's list of student runs) sees it.</param>
public sealed record RunInfo(
    string Id,
    string Scenario,
    string Room,
    RunStatus Status,
    RunParameters Parameters,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long EventCount,
    RunSummary? Summary,
    string? Error,
    RunLinks Links,
    string? Student = null,
    int? QueuePosition = null,
    DateTimeOffset? ShownAt = null)
{
    /// <summary>
    /// The run as the hub sends it to a room's pages: its summary's lists cut to
    /// <see cref="RunSummary.ViewerListLimit"/>.
    /// </summary>
    public RunInfo ForViewers() =>
        Summary is { } s && s.ForViewers() is var cut && !ReferenceEquals(cut, s)
            ? this with { Summary = cut }
            : this;

    /// <summary>
    /// This run for a page that shows only a big run's latest lines (<see cref="LatestLines"/>): its summary lists the
    /// first <see cref="LatestLines.SummaryListLimit"/> printed values and lost writes (the page shows five lost writes;
    /// the rest are the run's record, a link away). Parsing a thousand of each, as <see cref="ForViewers"/> lists,
    /// held a WebAssembly page's frame for over a tenth of a second as the run ended.
    /// </summary>
    public RunInfo ForLatestLines() =>
        Summary is { } s && s.CutTo(LatestLines.SummaryListLimit) is var cut && !ReferenceEquals(cut, s)
            ? this with { Summary = cut }
            : this;

    [JsonIgnore]
    public bool IsFinished => Status is not (RunStatus.Queued or RunStatus.Running);

    /// <summary>When the run came before the room: its creation, or for a student's run, when the presenter showed it.</summary>
    [JsonIgnore]
    public DateTimeOffset BeforeTheRoomAt => ShownAt ?? CreatedAt;

    /// <summary>Whether the room's pages see this run: every presenter's run, and a student's once the presenter showed it.</summary>
    [JsonIgnore]
    public bool IsShownToRoom => Student is null || ShownAt is not null;
}

public sealed record RunLinks(string Self, string Events);

/// <summary>What a finished run proved.</summary>
/// <param name="Outcomes">Runs of several rounds: how often each outcome (final value; for a lesson experiment, its
/// printed output and final value) came out over the rounds (<see cref="RoundOutcomes"/>).</param>
/// <param name="Discrepancy">What the run's events do not account for (a write that cannot be placed, lost writes that
/// do not add up to the missing amount): a bug in the lab, shown and logged, never hidden. Null when all is accounted for.</param>
/// <param name="Printed">The values printed, in order: at most <see cref="ListLimit"/> of them (see
/// <paramref name="PrintedTotal"/>).</param>
/// <param name="LostWrites">The lost writes in the order they landed, each with the write that erased it: at most
/// <see cref="LostWritesListLimit"/> of them; <paramref name="LostUpdates"/> counts them all.</param>
/// <param name="PrintedTotal">Set when the run printed more than <see cref="ListLimit"/> values: how many it printed.
/// A summary goes to every page with the run; all the values are in the run's events (<c>/api/runs/{id}/events</c>, export).</param>
/// <param name="Deadlock">A run that ended <see cref="RunStatus.Deadlocked"/>: the cycle of processes that waited for one another.</param>
/// <param name="SharedValues">A program's run with more than one shared integer: each integer's expected and final value and
/// the updates lost on it (the fields above are then the first integer's). Null for a run of one integer.</param>
/// <param name="IncrementsPerSecond">Stress runs: shared-counter increments per second over all processes, over the time
/// they spent counting (each round from the first process beginning to the last one finishing).</param>
public sealed record RunSummary(
    long ExpectedFinalValue,
    long ActualFinalValue,
    int LostUpdates,
    double DurationMs,
    IReadOnlyList<long> Printed,
    IReadOnlyList<ProcessSummary> Processes,
    IReadOnlyList<LostWrite> LostWrites,
    IReadOnlyList<Outcome>? Outcomes = null,
    double? IncrementsPerSecond = null,
    string? Discrepancy = null,
    long? PrintedTotal = null,
    DeadlockReport? Deadlock = null,
    IReadOnlyList<SharedValueSummary>? SharedValues = null)
{
    /// <summary>Printed values a summary lists; a run that printed more lists the first ones. Every run the default
    /// limits allow in one round prints fewer (at most 8 processes × 1,000 iterations).</summary>
    public const int ListLimit = 10_000;

    /// <summary>Lost writes a summary lists, each with the write that erased it: all of them for any run within the default
    /// limits (at most 8,000 writes).</summary>
    public const int LostWritesListLimit = 10_000;

    /// <summary>
    /// Printed values and lost writes a summary lists when the hub sends it to pages (<see cref="ForViewers"/>): a lesson
    /// run, even run 100 times (1,000 prints), is listed whole; a million-increment run's 10,000 lost writes (≈ 1.2 MB)
    /// are not — a page shows five of them, and parsing the rest kept a WebAssembly page from drawing for hundreds of
    /// milliseconds. The REST API (<c>GET /api/runs/{id}</c>) lists up to <see cref="ListLimit"/>.
    /// </summary>
    public const int ViewerListLimit = 1_000;

    /// <summary>This summary with its lists cut to <see cref="ViewerListLimit"/> (counts stay exact: <see cref="LostUpdates"/>,
    /// <see cref="PrintedTotal"/>).</summary>
    public RunSummary ForViewers() => CutTo(ViewerListLimit);

    /// <summary>This summary with its lists cut to <paramref name="limit"/> entries (counts stay exact).</summary>
    public RunSummary CutTo(int limit) => Printed.Count <= limit && LostWrites.Count <= limit ? this : this with
    {
        Printed = Printed.Take(limit).ToArray(),
        LostWrites = LostWrites.Take(limit).ToArray(),
        PrintedTotal = PrintedTotal ?? Printed.Count,
    };
}

/// <summary>
/// A write whose update did not reach the final value: the write that erased it landed next (of the writes that did not
/// build on it) and was computed from a value read before this one landed.
/// </summary>
/// <param name="Amount">What the lost write had added: the update that is missing from the final value.</param>
public sealed record LostWrite(
    long Seq, string Process, long Value, long OverwrittenBySeq, string OverwrittenBy, long OverwrittenWith, long Amount);

/// <summary>One row of a repeated run's outcome table: a stress run's final value, or a repeated lesson run's printed
/// output and final value, and in how many rounds it came out.</summary>
/// <param name="Printed">A repeated run that reports its steps: the values printed in the round, in order. Null for stress runs.</param>
public sealed record Outcome(long FinalValue, int Count, bool Expected, IReadOnlyList<long>? Printed = null);

/// <summary>A deadlock as the lab saw it in the wait-for graph: each process of the cycle, what it held and what it waited for.</summary>
/// <param name="Cycle">The processes of the cycle in order: each waits for a lock the next one holds, and the last waits for
/// one the first holds.</param>
/// <param name="FormedAtMs">When the cycle closed (the last of its processes began to wait), ms since the run started.</param>
/// <param name="DetectedAtMs">When the lab saw it, ms since the run started.</param>
public sealed record DeadlockReport(IReadOnlyList<DeadlockLink> Cycle, double FormedAtMs, double DetectedAtMs)
{
    /// <summary>"p1 holds a, waits for b; p2 holds b, waits for a": the cycle in words, in English (pages translate it
    /// link by link with <see cref="DeadlockLink.Holds"/> and <see cref="DeadlockLink.WaitsFor"/>).</summary>
    public string Describe() => string.Join("; ", Cycle.Select(link => link.Describe()));
}

/// <summary>One process of a deadlock's cycle.</summary>
/// <param name="Process">The process (<c>p1</c>, …).</param>
/// <param name="Holds">The locks (and semaphore permits) it held.</param>
/// <param name="WaitsFor">The lock or semaphore it waited for.</param>
public sealed record DeadlockLink(string Process, IReadOnlyList<string> Holds, string WaitsFor)
{
    public string Describe() => $"{Process} holds {string.Join(", ", Holds)}, waits for {WaitsFor}";
}

/// <summary>One shared integer of a program's run: what it should end at, what it ended at, and the updates lost on it.</summary>
public sealed record SharedValueSummary(string Name, long ExpectedFinalValue, long ActualFinalValue, int LostUpdates);

public sealed record ProcessSummary(string Process, int Pid, int? ExitCode, double LockWaitMs, int Writes);

/// <summary>What <c>JoinRoom</c> and <c>GET /api/rooms/{code}</c> answer: the room, the lesson page it shows,
/// who watches, and what is running or last ran in it.</summary>
/// <param name="Lesson">The lesson the presenter shows (its slug), if any.</param>
/// <param name="Page">The page of that lesson, from 1.</param>
/// <param name="Viewers">Connected pages in the room (the presenter's included).</param>
/// <param name="StudentsMayRun">The presenter lets students run the page's experiment themselves (<see cref="RoomSettings"/>).</param>
public sealed record RoomState(string Room, RunInfo? CurrentRun, IReadOnlyList<RunInfo> RecentRuns, string? Lesson = null,
    int Page = 1, int Viewers = 0, bool StudentsMayRun = false);

/// <summary>
/// Body of <c>POST /api/rooms/{code}/settings</c> and argument of the hub's <c>SetRoomSettings</c>; also what the room is
/// told when they change (<c>RoomSettingsChanged</c>). A field left out (null) stays as it is.
/// </summary>
/// <param name="StudentsMayRun">Followers without the key may run the page's experiment, each run theirs alone until the
/// presenter shows it to the room. Off by default; switching it off cancels the students' runs still queued.</param>
public sealed record RoomSettings(bool? StudentsMayRun = null);

/// <summary>What <c>JoinAsStudent</c> answers: the label the room knows this student by, and their runs it still holds.</summary>
public sealed record StudentSeat(string Room, string Label, IReadOnlyList<RunInfo> Runs);

/// <summary>Body of <c>POST /api/rooms/{code}/page</c> and argument of the hub's <c>SetPage</c>: move every follower there.</summary>
public sealed record PageRequest(string? Lesson, int? Page);

/// <summary>
/// <c>GET /api/join-addresses</c>: the addresses at which other devices in the classroom can open this lab (base URLs
/// such as <c>http://192.168.1.20:5080</c>, best first; never a loopback address). Empty, with <see cref="Advice"/>,
/// when the lab cannot be reached from the network as it was started.
/// </summary>
/// <param name="Configured">True when the address is <c>LockLab:PublicUrl</c> (a proxy or a DNS name), not one
/// found on the machine.</param>
public sealed record JoinAddresses(IReadOnlyList<string> Addresses, bool Configured, string? Advice = null);
