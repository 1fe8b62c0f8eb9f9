namespace LockLab.Server.Configuration;

/// <summary>
/// The <c>LockLab</c> configuration section (appsettings.json, or environment variables such as
/// <c>LockLab__PresenterKey</c>).
/// </summary>
public sealed class LockLabOptions
{
    public const string Section = "LockLab";

    /// <summary>Needed to start runs. Empty: one is generated at start-up and logged once, as Jupyter does with its token.</summary>
    public string? PresenterKey { get; set; }

    /// <summary>
    /// How long a browser that has shown the key stays signed in as the presenter (a school day and then some); it sends
    /// a signed session token meanwhile, never locked out by others' wrong keys.
    /// </summary>
    public double PresenterSessionHours { get; set; } = 12;

    /// <summary>Short alias of <see cref="PresenterKey"/> (environment variable <c>LockLab__Key</c>).</summary>
    public string? Key { get; set; }

    /// <summary>Where the lab keeps its data (run history, from a later release on). Relative paths are under the app folder.</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>The folder <see cref="DataPath"/> names; a relative path is under the server's content root.</summary>
    public string DataFolder(IHostEnvironment environment) => Path.GetFullPath(DataPath, environment.ContentRootPath);

    /// <summary>
    /// The address students open, when the machine's own addresses are not it: behind a reverse proxy or under a DNS
    /// name (e.g. <c>https://lab.school.example</c>). Empty: the lab offers its LAN addresses (see Rooms/JoinAddressFinder).
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Serve <c>/metrics</c> (Prometheus). Off by default: it names every watched room's code, and a single lab has no
    /// proxy in front to keep it internal. The compose <c>scale</c> profile turns it on behind nginx, which refuses it
    /// from outside.
    /// </summary>
    public bool ServeMetrics { get; set; }

    /// <summary>Serve the OpenAPI document (<c>/openapi/v1.json</c>). Unset: in Development only.</summary>
    public bool? ServeOpenApi { get; set; }

    /// <summary>
    /// Live hub connections (pages) one client address may hold. Generous: a school behind one NAT address is one
    /// address.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 1000;

    /// <summary>
    /// Pages that may run on this server at once (a browser's first visit runs its page over a circuit, which keeps the
    /// page's components in the server's memory). Beyond it, first visits run in WebAssembly, as later visits do: slower
    /// to start, but nothing kept here. 0: every page runs in WebAssembly.
    /// </summary>
    public int MaxCircuits { get; set; } = 200;

    /// <summary>
    /// A room other than <c>main</c> closes by itself after this many hours without a page watching it or a run in it:
    /// rooms opened for a lesson do not pile up (with Redis, across restarts). A presenter can close one sooner.
    /// </summary>
    public double RoomIdleHours { get; set; } = 24;

    /// <summary>Extra lesson files (Jekyll format).</summary>
    public string? LessonsPath { get; set; }

    /// <summary>A lesson file larger than this is not read (listed as broken): a lesson is a few kilobytes of text.</summary>
    public long MaxLessonBytes { get; set; } = 1024 * 1024;

    /// <summary>The worker program; empty: the one built beside the server. For deployments that keep it elsewhere.</summary>
    public string? WorkerPath { get; set; }

    /// <summary>Worker processes started ahead of time, waiting for a run (0: start them when a run begins).</summary>
    public int WorkerPoolSize { get; set; } = 2;

    /// <summary>
    /// Seconds the lab keeps serving after a stop is requested, answering <c>/readyz</c> with 503 meanwhile, so that
    /// a load balancer takes it out of rotation first (0: stop at once). Keep it below the orchestrator's grace period.
    /// </summary>
    public int ShutdownDrainSeconds { get; set; }

    /// <summary>
    /// Console log format: <c>text</c> (readable lines) or <c>json</c> (one object per line with every property; see
    /// <c>Operations/LabLogging</c>).
    /// </summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>
    /// PostgreSQL connection string for the run history (Npgsql format, e.g.
    /// <c>Host=db;Database=locklab;Username=locklab;Password=…</c>). Empty: SQLite under <see cref="DataPath"/>.
    /// Several instances behind a load balancer share one database.
    /// </summary>
    public string? Database { get; set; }

    /// <summary>
    /// Redis configuration string (StackExchange.Redis format, e.g. <c>redis:6379</c>). Set: rooms' messages go through
    /// Redis to every instance, and room state lives in Redis, so several instances serve one school. Empty: one instance, in memory.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// With Redis: how long a room's message that Redis does not take (paused, unreachable) is tried again before it is
    /// given up (pages then catch up when they reconnect). Later messages wait behind it, so a room's order holds.
    /// </summary>
    public int RoomMessageRetrySeconds { get; set; } = 30;

    /// <summary>Prefix of every Redis key and channel: deployments sharing one Redis server keep apart.</summary>
    public string RedisChannelPrefix { get; set; } = "locklab";

    /// <summary>
    /// With Redis: how long a room's run slot stays taken once the instance holding it stops renewing it (it renews
    /// every second). Long against a slow Redis round or a paused instance (a lapsed lease lets the room go over its
    /// limit); short enough that a slot stranded by an instance dying in mid-admission is soon free. At least 3.
    /// </summary>
    public int RunSlotLeaseSeconds { get; set; } = 30;

    public RunLimits Limits { get; set; } = new();
}

/// <summary>Hard limits every run request is checked against; the UI shows them.</summary>
public sealed class RunLimits
{
    public int MaxConcurrentRuns { get; set; } = 2;
    public int MaxQueuedRuns { get; set; } = 20;
    /// <summary>Runs queued or running in one room at once; more are refused (409) until one ends.</summary>
    public int MaxActiveRunsPerRoom { get; set; } = 3;
    /// <summary>A run that reports more events than this is stopped and fails (a misbehaving worker cannot flood the server).</summary>
    public int MaxEventsPerRun { get; set; } = 200_000;
    public int MaxProcesses { get; set; } = 8;
    public int MaxIterations { get; set; } = 1000;
    public int MaxAmount { get; set; } = 1000;
    public int MaxDelayMs { get; set; } = 2000;
    public int MaxGapMs { get; set; } = 2000;
    public int RunTimeLimitSeconds { get; set; } = 60;
    /// <summary>Step-mode runs wait for people, so they may last longer.</summary>
    public int StepRunTimeLimitSeconds { get; set; } = 1800;
    /// <summary>A lesson experiment run again and again in one run ("Run 100 times"): at most this many rounds. Each
    /// round has the time limit of a run (<see cref="RunTimeLimitSeconds"/>).</summary>
    public int MaxRepeats { get; set; } = 100;
    /// <summary>Stress runs: iterations per process per round, and rounds.</summary>
    public int MaxStressIterations { get; set; } = 1_000_000;
    public int MaxStressRounds { get; set; } = 1000;
    public int WorkerStartTimeoutSeconds { get; set; } = 15;
    /// <summary>History retention: at most this many runs are kept on disk…</summary>
    public int MaxStoredRuns { get; set; } = 1000;
    /// <summary>…and none older than this.</summary>
    public int MaxRunAgeDays { get; set; } = 30;
    /// <summary>
    /// Caps the SQLite history file's size (0: no cap). When full, runs still stream; their record is incomplete.
    /// A PostgreSQL history is sized by its server.
    /// </summary>
    public int MaxHistoryMegabytes { get; set; }

    /// <summary>Runs one client address may start per minute, over HTTP and through the hub alike (Runs/RunStartLimiter).</summary>
    public int RunsPerMinutePerClient { get; set; } = 60;

    /// <summary>Runs one student may start per minute, where the presenter lets students run experiments (Students/StudentRuns).</summary>
    public int StudentRunsPerMinute { get; set; } = 5;

    /// <summary>Runs one student may have queued or running at once.</summary>
    public int ActiveRunsPerStudent { get; set; } = 1;

    /// <summary>Students' runs waiting in the students' queue of this server, over all rooms; more are refused (503).</summary>
    public int MaxQueuedStudentRuns { get; set; } = 200;

    /// <summary>GET requests under <c>/api</c> one client address may make per minute (Security/ReadLimits).</summary>
    public int ReadsPerMinutePerClient { get; set; } = 6000;

    /// <summary>Exports (<c>/api/runs/{id}/export</c>) one client address may have running at once.</summary>
    public int ExportsAtOncePerClient { get; set; } = 2;

    /// <summary>
    /// Finished runs kept in memory before the oldest are forgotten (their events are bounded by
    /// <see cref="RetainedEventBudget"/>).
    /// </summary>
    public int RetainedRuns { get; set; } = 200;

    /// <summary>
    /// Events held in memory over all runs (≈ 150 bytes each). Beyond it, the oldest events already sent and stored in
    /// the history leave memory and are read from the history when asked for; a run whose unstored events reach it
    /// waits for the history to catch up. Without a history, events leave memory once sent, and are gone.
    /// 50,000 (≈ 7 MB): more than the largest run the default limits allow (8 × 1,000 steps, ≈ 48,000 events), and
    /// a big run moves at the pace of the history in any case (docs/benchmarks.md, "Stress streaming").
    /// </summary>
    public int RetainedEventBudget { get; set; } = 50_000;
}
