using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Server.Diagnostics;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;

namespace LockLab.Server.Broadcasting;

/// <summary>
/// Pushes each run to its room: <c>RunStarted</c>, then its events in <c>seq</c> order, then <c>RunCompleted</c>.
/// Decoupled from the worker readers: it waits for news on the run's log and sends what is new at once, but not
/// more often than every <see cref="MinInterval"/>, so a lesson run goes out event by event within milliseconds
/// while a fast run is batched (a classroom of pages is not handed thousands of messages a second).
/// It sends through the room's channel (<see cref="IRoomChannel"/>), which never waits for a page. Nothing is
/// dropped: each message carries the events after the last one sent, and a page that was disconnected for lagging
/// catches up by sequence number. With several instances, each status and batch is first shared
/// (<see cref="ISharedRuns"/>), so that a page on another instance can catch up with anything it was sent.
/// A big run (<see cref="LatestLines"/>) goes in full to every connection that takes every event, and as its latest
/// events, ten times a second, to the pages that said they show only those (and its summary, with short lists).
/// </summary>
public sealed class RunBroadcaster(
    IRoomChannel channel, RoomConnections connections, ISharedRuns shared, LabInstance instance, RunFollowers followers,
    ILogger<RunBroadcaster> logger)
    : IRunObserver
{
    /// <summary>Large enough for a burst of a fast run, small enough for one WebSocket message.</summary>
    public const int MaxBatch = ViewerFeeds.MaxEventsPerMessage;

    /// <summary>
    /// On average at most one message per run this often. Short against the live-latency budget (the benchmarks' p99
    /// target is 20 ms from a worker's write to a viewer), long enough that a stress run reaches each page as ≤ 200
    /// messages a second.
    /// </summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Messages a run may send back to back before <see cref="MinInterval"/> spaces them (one is earned back per
    /// interval). A lesson run sends a message every few milliseconds at most, for a few seconds: it never waits, where
    /// a strict interval held its last events (the lesson's two processes finish 5 ms apart) for up to 5 ms more.
    /// A fast run spends the burst within milliseconds and is then batched as before.
    /// </summary>
    public const int Burst = 8;

    /// <summary>
    /// In a large room every message costs one write per page, on the server and on the network: there, news is
    /// gathered for a moment before it goes out, so that events a few milliseconds apart (the lesson's two processes
    /// step 5 ms apart) make one message, not two. From <see cref="GatherFrom"/> pages on, 1 ms per 250 pages, at
    /// most 20 ms — small against what such a room takes to reach every page.
    /// </summary>
    public static TimeSpan GatherWindow(int viewers) =>
        viewers < GatherFrom ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(20, viewers / 250.0));

    public const int GatherFrom = 500;

    public void Follow(Run run) => followers.Start(() => PumpAsync(run));

    /// <summary>
    /// Who hears the run: its room; a student's run, only that student's pages until the presenter shows it to the room
    /// (<see cref="Shown"/>).
    /// </summary>
    private static string AudienceOf(Run run) =>
        run is { Owner: { } owner, IsShownToRoom: false } ? RoomAudiences.StudentOf(run.Room, owner.StudentId) : run.Room;

    private static void SendTo(Run run, Action<string> send)
    {
        lock (run.SendGate) send(AudienceOf(run));
    }

    private void Send(Run run, string method, params object?[] args) => SendTo(run, audience => channel.Send(audience, method, args));

    /// <summary>
    /// News of a student's run for the presenter's list of students' runs, and for the student's own pages (its place in
    /// the queue, its start, its end).
    /// </summary>
    public void SendStudentNews(RunInfo info, string studentId)
    {
        var news = info.ForViewers();
        channel.Send(RoomAudiences.PresentersOf(info.Room), nameof(ILabClient.StudentRunChanged), news);
        channel.Send(RoomAudiences.StudentOf(info.Room, studentId), nameof(ILabClient.StudentRunChanged), news);
    }

    /// <summary>
    /// The presenter showed a student's run to the room: the room's pages hear of it as of a run of their own — started,
    /// or ended already — and catch up with its events by sequence number, as a page that joins midway does. Its events
    /// from now on go to the room (<see cref="AudienceOf"/>).
    /// </summary>
    public void Shown(Run run)
    {
        // Under the run's send gate (RunCommands): nothing of the run reaches the room between the switch and this.
        var info = run.ToInfo();
        channel.Send(run.Room, info.IsFinished ? nameof(ILabClient.RunCompleted) : nameof(ILabClient.RunStarted), info.ForViewers());
        if (run.Owner is { } owner) SendStudentNews(info, owner.StudentId);
        followers.Start(() => shared.PublishAsync(info, instance.Id));
    }

    /// <summary>Shares the run's status with the other instances before the room hears of it.</summary>
    private async Task<RunInfo> ShareAsync(Run run)
    {
        var info = run.ToInfo();
        await shared.PublishAsync(info, instance.Id);
        return info;
    }

    private async Task PumpAsync(Run run)
    {
        using var scope = logger.BeginRunScope(run.Id, run.Room);
        // A big run: pages that show only its latest lines get those, ten times a second (LatestLines).
        var latest = LatestLines.IsBig(run.Parameters) ? new LatestSample() : null;
        var pace = new Pace(() => connections.Count(run.Room), latest);
        var announced = false;
        try
        {
            var queued = await ShareAsync(run); // queued: other instances' pages see it in the room from now on
            if (run.Owner is { } student) SendStudentNews(queued, student.StudentId);
            await foreach (var update in run.FollowAsync(MaxBatch, pace))
            {
                // Announced once the start gate has opened, with the gate's instant as its start (what events' atMs count
                // from); or when it ended without opening it. Nothing of the run goes out before.
                if (!announced)
                {
                    if (update.Status == RunStatus.Queued || !(update.GateOpened || update.IsFinal)) continue;
                    var started = await ShareAsync(run);
                    Send(run, nameof(ILabClient.RunStarted), started.ForViewers());
                    if (run.Owner is { } owner) SendStudentNews(started, owner.StudentId);
                    announced = true;
                }
                if (update.Events is { Length: > 0 } batch)
                {
                    await shared.AppendAsync(run.Id, batch);
                    if (latest is null) Send(run, nameof(ILabClient.RunEvents), run.Id, batch);
                    else
                    {
                        var due = latest.Add(batch);
                        SendTo(run, audience => channel.SendBigRun(audience, nameof(ILabClient.RunEvents), [run.Id, batch],
                            due is null ? null : [run.Id, due]));
                    }
                    run.Timeline.Sent(batch);
                    run.MarkSent(batch[^1].Seq); // handed to every page's feed: memory may let it go once it is stored too
                    pace.Sent();
                    continue;
                }
                // Nothing new: latest events held back for their turn go out when it comes, and at the latest before
                // the run's completion, so that those pages end on the run's last events.
                if (latest is { Pending: true } && (update.IsFinal || latest.Due))
                {
                    var due = latest.Take();
                    SendTo(run, audience => channel.SendBigRun(audience, nameof(ILabClient.RunEvents), null, [run.Id, due]));
                }
                if (update.IsFinal)
                {
                    var info = await ShareAsync(run);
                    if (latest is null) Send(run, nameof(ILabClient.RunCompleted), info.ForViewers());
                    else SendTo(run, audience => channel.SendBigRun(audience, nameof(ILabClient.RunCompleted),
                        [info.ForViewers()], [info.ForLatestLines()]));
                    if (run.Owner is { } owner) SendStudentNews(info, owner.StudentId);
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Broadcasting run {RunId} failed", run.Id);
        }
    }

    /// <summary>
    /// When the next batch is read: at once within the burst, then at the next message's turn (what arrives meanwhile
    /// goes together); in a large room, soon after the last message, after the gather window as well. With nothing new,
    /// a big run's held-back latest events wake the stream when their turn comes.
    /// </summary>
    private sealed class Pace(Func<int> viewers, LatestSample? latest) : IRunUpdatePacing
    {
        private readonly SendCredit _credit = new();
        private long _lastSend;

        public void Sent()
        {
            _lastSend = Stopwatch.GetTimestamp();
            _credit.Spend();
        }

        public TimeSpan BeforeBatch()
        {
            var wait = _credit.WaitBeforeNext();
            var gather = GatherWindow(viewers());
            if (gather > TimeSpan.Zero)
            {
                var sinceLast = Stopwatch.GetElapsedTime(_lastSend);
                var gathering = _lastSend != 0 && sinceLast < MinInterval + gather ? MinInterval + gather - sinceLast : gather;
                if (gathering > wait) wait = gathering;
            }
            return wait;
        }

        public TimeSpan? IdleWake() => latest is { Pending: true } ? latest.UntilDue : null;
    }

    /// <summary>
    /// A big run's latest events as its batches go out, for the pages that show only those: the last
    /// <see cref="LatestLines.EventsPerMessage"/> events, handed out at most every <see cref="LatestLines.EveryMs"/>.
    /// </summary>
    private sealed class LatestSample
    {
        private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(LatestLines.EveryMs);
        private readonly Queue<RunEvent> _last = new(LatestLines.EventsPerMessage);
        private long _takenAt;

        /// <summary>Events arrived since the last were handed out.</summary>
        public bool Pending { get; private set; }

        public bool Due => _takenAt == 0 || Stopwatch.GetElapsedTime(_takenAt) >= Every;

        // One reading of the clock: two (Due, then the time left) could straddle the moment it falls due and give a
        // negative wait, which Task.Delay refuses, and the run's broadcasting would end there.
        public TimeSpan UntilDue => _takenAt == 0 ? TimeSpan.Zero : (Every - Stopwatch.GetElapsedTime(_takenAt)) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

        /// <summary>Takes in a batch sent in full; returns the latest events when their turn has come, else null.</summary>
        public RunEvent[]? Add(RunEvent[] batch)
        {
            // Only the tail of a batch can be among the latest.
            for (var i = Math.Max(0, batch.Length - LatestLines.EventsPerMessage); i < batch.Length; i++)
            {
                if (_last.Count == LatestLines.EventsPerMessage) _last.Dequeue();
                _last.Enqueue(batch[i]);
            }
            Pending = true;
            return Due ? Take() : null;
        }

        /// <summary>
        /// The latest events not handed out before. Once handed out they leave the sample: at a slow moment (fewer
        /// events in a tenth of a second than a message holds) the next message would otherwise repeat them, and a page
        /// appends what it gets after the last event it shows.
        /// </summary>
        public RunEvent[] Take()
        {
            _takenAt = Stopwatch.GetTimestamp();
            Pending = false;
            RunEvent[] taken = [.. _last];
            _last.Clear();
            return taken;
        }
    }

    /// <summary>A token bucket: <see cref="Burst"/> messages at once, then one per <see cref="MinInterval"/>.</summary>
    private sealed class SendCredit
    {
        private double _messages = Burst;
        private long _at = Stopwatch.GetTimestamp();

        public TimeSpan WaitBeforeNext()
        {
            Refill();
            return _messages >= 1 ? TimeSpan.Zero : MinInterval * (1 - _messages);
        }

        public void Spend()
        {
            Refill();
            _messages = Math.Max(0, _messages - 1);
        }

        private void Refill()
        {
            var now = Stopwatch.GetTimestamp();
            _messages = Math.Min(Burst, _messages + Stopwatch.GetElapsedTime(_at, now) / MinInterval);
            _at = now;
        }
    }
}
