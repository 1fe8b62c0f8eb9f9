using System.Threading.RateLimiting;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Lessons;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Students;

/// <summary>
/// Students running experiments of their own, where the presenter lets them (<see cref="RoomSettings.StudentsMayRun"/>):
/// the experiment of the page the room shows (or one the page offers beside it), with the student's parameters
/// validated as any run request is. The run is theirs — only their pages see it live, and they may stop it
/// (<see cref="RunCommands.StopOwnAsync"/>) — until the presenter shows it to the room. Its record is the lab's like any
/// run's: the history lists it, with the student's label, for whoever reads the history. Limits: <see cref="RunLimits.ActiveRunsPerStudent"/> at once and <see cref="RunLimits.StudentRunsPerMinute"/>
/// a minute per student, and the address's runs a minute (<see cref="RunStartLimiter"/>) as for everyone, since a
/// student id is whatever a page says.
/// </summary>
public sealed class StudentRuns(
    RunRequestValidator validator,
    RunStartLimiter addressLimiter,
    StudentRunQueue queue,
    RoomRegistry rooms,
    LessonLibrary lessons,
    RunStore store,
    ISharedRuns shared,
    IOptions<LockLabOptions> options) : IDisposable
{
    /// <summary>Students' runs the presenter's list holds at most.</summary>
    public const int ListLimit = 100;

    private readonly PartitionedRateLimiter<string> _perStudent = PartitionedRateLimiter.Create<string, string>(student =>
        RateLimitPartition.GetFixedWindowLimiter(student, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.Limits.StudentRunsPerMinute),
            Window = TimeSpan.FromMinutes(1),
        }));

    public async Task<LaunchResult> StartAsync(RunRequest request, string room, StudentOwner student, string client, CancellationToken ct)
    {
        if (!await rooms.StudentsMayRunAsync(room))
        {
            return new LaunchResult.Refused(LabErrorCode.StudentRunsOff, LaunchResult.Refused.StudentRunsOff);
        }
        var (lesson, page) = await rooms.PageOfAsync(room);
        var experiment = lesson is null ? null : lessons.Find(lesson)?.Pages.FirstOrDefault(p => p.Number == page)?.Experiment;
        if (experiment is null)
        {
            return new LaunchResult.Refused(LabErrorCode.NotNow, LaunchResult.Refused.NoExperimentOnPage);
        }
        // Neither a scenario nor a program: the page's own experiment, with whatever the student changed.
        if (request.Scenario is null && request.Program is null)
        {
            request = request with { Scenario = experiment.Scenario, Program = experiment.Program };
        }
        if (NotOnThePage(request, experiment, room) is { } wrong) return new LaunchResult.Invalid(wrong);
        if (!validator.TryValidate(request with { Room = room }, room, out var valid, out var errors)) return new LaunchResult.Invalid(errors);
        // Counted before the allowances are drawn on: a refused second run costs the student none of their minute.
        var most = Math.Max(1, options.Value.Limits.ActiveRunsPerStudent);
        if (queue.ActiveOf(room, student.StudentId) >= most)
        {
            return new LaunchResult.Refused(LabErrorCode.NotNow, TextTemplates.Fill(LaunchResult.Refused.StudentBusy, most));
        }
        using (var lease = _perStudent.AttemptAcquire(room + "/" + student.StudentId))
        {
            if (!lease.IsAcquired)
            {
                return new LaunchResult.Refused(LabErrorCode.NotNow,
                    TextTemplates.Fill(LaunchResult.Refused.StudentTooOften, options.Value.Limits.StudentRunsPerMinute));
            }
        }
        if (!addressLimiter.TryTake(client)) return new LaunchResult.TooMany();
        return await queue.EnqueueAsync(valid!, student, ct);
    }

    /// <summary>
    /// What a student may run: the page's experiment, a scenario the page offers beside it, or (where the page's
    /// experiment is a program) a program of their own; in this room, live (nobody steps a student's run for them).
    /// </summary>
    private static Dictionary<string, string[]>? NotOnThePage(RunRequest request, RunRequest experiment, string room)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Room is { } named && named != room) errors["room"] = [StudentRunTexts.OwnRoomOnly];
        if (request.Mode == RunMode.Step) errors["mode"] = [StudentRunTexts.LiveOnly];
        if (request.Program is not null)
        {
            if (experiment.Program is null) errors["program"] = [StudentRunTexts.NoProgramsHere];
        }
        else
        {
            var pageScenario = experiment.Program is null ? experiment.Scenario : Scenarios.Program;
            var offered = Scenarios.OfferedBeside(pageScenario);
            if (request.Scenario is { } scenario && scenario != experiment.Scenario && !offered.Contains(scenario))
            {
                errors["scenario"] = [TextTemplates.Fill(StudentRunTexts.NotOffered,
                    string.Join(", ", offered.Prepend(experiment.Scenario ?? Scenarios.Program).Distinct()))];
            }
        }
        return errors.Count > 0 ? errors : null;
    }

    /// <summary>The room's students' runs, newest first, from every instance: the presenter's list.</summary>
    public Task<RunInfo[]> InRoomAsync(string room) =>
        FromEveryInstanceAsync(room, r => r.Owner is not null, r => r.Student is not null, ListLimit, ListLimit);

    /// <summary>
    /// The student's own runs, newest first, from every instance (their page, on joining): a page that reconnects to
    /// another instance, or the student's other device, still has their run to follow and to stop. Runs another
    /// instance executes are known by the student's label there (<see cref="RunCommands.StopOwnAsync"/> checks more).
    /// </summary>
    public Task<RunInfo[]> OfAsync(string room, StudentOwner student) =>
        FromEveryInstanceAsync(room, r => r.Owner?.StudentId == student.StudentId, r => r.Student == student.Label,
            MineListed, SeatLooksAt);

    /// <summary>A student's own runs their page is told of on joining.</summary>
    private const int MineListed = 10;

    /// <summary>
    /// The room's newest runs of other instances a joining student's page is looked for among: a class takes its seats
    /// all at once when the presenter lets students run, so each join reads a class's worth, not the presenter's whole
    /// list. A run still going is among them unless more than a class's worth started after it.
    /// </summary>
    private const int SeatLooksAt = 40;

    /// <summary>The room's runs this server holds that are <paramref name="here"/>, with those of other instances that
    /// are <paramref name="elsewhere"/> (among their newest <paramref name="elsewhereNewest"/>): newest first, once each.</summary>
    private async Task<RunInfo[]> FromEveryInstanceAsync(
        string room, Func<Run, bool> here, Func<RunInfo, bool> elsewhere, int max, int elsewhereNewest)
    {
        var local = store.InRoom(room, max, here).Select(r => r.ToInfo());
        var others = (await shared.InRoomAsync(room, elsewhereNewest)).Where(elsewhere);
        return [.. local.Concat(others).DistinctBy(r => r.Id).OrderByDescending(r => r.CreatedAt).Take(max)];
    }

    /// <summary>Switches students' runs in the room on or off; off cancels those still waiting for their turn.</summary>
    public async Task SetAllowedAsync(string room, bool allowed)
    {
        await rooms.SetStudentsMayRunAsync(room, allowed);
        if (!allowed) queue.CancelWaiting(room);
    }

    public void Dispose() => _perStudent.Dispose();
}

/// <summary>What is wrong with a student's run request, field by field (validation entries), in English.</summary>
public static class StudentRunTexts
{
    public const string OwnRoomOnly = "A student runs experiments in the room they joined only.";
    public const string LiveOnly = "A student's run is live; step mode is the presenter's.";
    public const string NoProgramsHere = "This page's experiment is not a program; run it or a scenario it offers.";
    /// <summary>{0}: the scenarios the page offers.</summary>
    public const string NotOffered = "This page offers {0}.";
}
