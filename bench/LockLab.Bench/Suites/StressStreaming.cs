using System.Diagnostics;
using System.Net.Http.Json;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;
using Microsoft.Data.Sqlite;

namespace LockLab.Bench.Suites;

/// <summary>
/// A million increments, every one of them reported: how fast the events are persisted and delivered, what it costs
/// the server, and whether a page watching it keeps drawing.
/// </summary>
public static class StressStreaming
{
    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("stress", "Stress streaming: a million reported increments");
        var perProcess = context.Quick ? 5_000 : 500_000;
        var increments = 2 * perProcess;
        // no-lock with no sleeps: each increment is reported as read, write and print (3 events).
        var request = new RunRequest { Scenario = Scenarios.NoLock, Iterations = perProcess, DelayMs = 0 };
        var settings = new Dictionary<string, string>
        {
            ["LockLab__Limits__MaxIterations"] = perProcess.ToString(),
            ["LockLab__Limits__MaxEventsPerRun"] = (increments * 4).ToString(),
            ["LockLab__Limits__RunTimeLimitSeconds"] = "600",
        };
        var rows = new List<string[]>();

        await using var server = await context.StartServerAsync(settings);
        await using var browser = BrowserSession.Available ? await BrowserSession.StartAsync() : null;
        using var http = server.CreateClient();

        for (var repeat = 0; repeat < context.Repeats(3); repeat++)
        {
            // A page showing the lesson's live panel, counting the frames it draws while the run streams.
            // A room of its own each time: a page joining a room shows its latest run, and fetching the previous run's
            // three million events first is not what is measured here.
            var room = await NewRoomAsync(http);
            await using var viewer = await RunWatcher.ConnectAsync(server, room);
            await using var page = browser is null ? null : await PageWatch.OpenAsync(browser, server, http, room);

            var reconnectsBefore = viewer.Reconnects;
            var memoryBefore = server.ResidentBytes();
            var cpuBefore = server.CpuTime();
            var started = Stopwatch.GetTimestamp();
            var peakMemory = memoryBefore;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakMemory = Math.Max(peakMemory, server.ResidentBytes());
                    try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
                }
            });

            if (page is not null) await page.StartCountingAsync();
            var run = await LabRuns.StartAsync(http, request with { Room = room });
            var seen = await viewer.WaitCompletedAsync(run.Id, TimeSpan.FromMinutes(10));
            (double Fps, double LongestMs)? frames = page is null ? null : await page.StopCountingAsync();
            LabRuns.EnsureCompleted(seen.Info);
            if (!seen.Complete) throw new InvalidOperationException($"The viewer missed events of run {run.Id}.");
            var persistedAt = await WaitPersistedAsync(server, run.Id, seen.Info.EventCount, TimeSpan.FromMinutes(10));
            sampling.Cancel();
            await sampler;

            var runMs = seen.Info.Summary?.DurationMs ?? double.NaN;
            var deliveredSeconds = Stopwatch.GetElapsedTime(seen.FirstEventTimestamp, seen.LastEventTimestamp).TotalSeconds;
            var persistedSeconds = Stopwatch.GetElapsedTime(started, persistedAt).TotalSeconds;
            var wall = Stopwatch.GetElapsedTime(started);
            rows.Add([
                seen.Info.EventCount.ToString("N0"),
                Stats.Format(runMs / 1000, "0.00", " s"),
                Stats.Format(seen.Info.EventCount / deliveredSeconds, "N0") + (viewer.Reconnects > reconnectsBefore ? $" ({viewer.Reconnects - reconnectsBefore}× caught up)" : ""),
                Stats.Format(seen.Info.EventCount / persistedSeconds, "N0"),
                Stats.Format((server.CpuTime() - cpuBefore) / wall * 100, "0", " %"),
                $"{memoryBefore / 1048576.0:0} → {peakMemory / 1048576.0:0} MiB",
                frames is null ? "no browser" : $"{frames.Value.Fps:0} fps (longest frame {frames.Value.LongestMs:0} ms)",
            ]);
        }

        section.Paragraph($"""
            The `no-lock` scenario with no sleeps, 2 processes × {perProcess:N0} increments = {increments:N0} increments, each
            reported as it happens (read, write, print: 3 events per increment), {context.Repeats(3)} runs, against the published
            server with its per-run limits raised for the purpose (`LockLab:Limits:MaxIterations`, `MaxEventsPerRun`,
            `RunTimeLimitSeconds`). **Delivered**: events ÷ the time between the first and the last event reaching a SignalR
            viewer (a hub connection in the measuring process; when the server disconnects it for falling behind, it reconnects
            and catches up by sequence number, as the page does — "caught up" counts those). **Persisted**: events ÷ the time from the request until the last event is in the history database.
            **Server CPU**: the server process (not its workers) over the whole measurement (200 % = both cores).
            **Page**: headless Chromium showing the lesson's live panel in the same room (a new room for each run); frames drawn per second
            (requestAnimationFrame) while the run streamed, and the longest gap between two frames.
            """);
        section.Table([">events", ">run (workers)", ">delivered per second", ">persisted per second", ">server CPU", ">server memory (before → peak)", ">page while streaming"], rows);
        section.Paragraph("""
            Server memory grows from run to run because finished runs stay in memory with all their events
            (`LockLab:Limits:RetainedRuns` counts runs, not events): ≈ 150 bytes per event, so with the default limit of
            200,000 events per run at most ≈ 30 MB per run; a lab that allows runs of millions of events should retain
            fewer. The page stays correct while millions of events arrive (it keeps every event; its console shows the
            latest 300), but it draws few frames and freezes for seconds at a time: decoding a couple of hundred thousand
            events a second is more than the WebAssembly client does smoothly.
            """);
        return section;
    }

    private static async Task<string> NewRoomAsync(HttpClient http)
    {
        using var created = await http.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!.Room;
    }

    /// <summary>Waits until the run's last event is in the server's history database (read-only, beside the server).</summary>
    private static async Task<long> WaitPersistedAsync(LabServer server, string runId, long events, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = server.HistoryDatabase, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await db.OpenAsync();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = $id";
        query.Parameters.AddWithValue("$id", runId);
        while (true)
        {
            if ((long)(await query.ExecuteScalarAsync())! >= events) return Stopwatch.GetTimestamp();
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>A lesson page with a live panel, and a requestAnimationFrame counter in it.</summary>
    private sealed class PageWatch : IAsyncDisposable
    {
        private readonly Microsoft.Playwright.IBrowserContext _context;
        private readonly Microsoft.Playwright.IPage _page;

        private PageWatch(Microsoft.Playwright.IBrowserContext context, Microsoft.Playwright.IPage page)
        {
            _context = context;
            _page = page;
        }

        public static async Task<PageWatch> OpenAsync(BrowserSession browser, LabServer server, HttpClient http, string room)
        {
            var lesson = await http.GetFromJsonAsync("/api/lessons/process-locks", ContractsJsonContext.Default.LessonDocument);
            var number = lesson!.Pages.First(p => p.Experiment is not null).Number;
            var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(server.Address, $"/lessons/process-locks/{number}?room={room}").ToString());
            // The run button is enabled once the page is interactive and connected to the room.
            await page.Locator("[data-testid=run-experiment]:not([disabled])").WaitForAsync(new() { Timeout = 60_000 });
            return new PageWatch(context, page);
        }

        public Task StartCountingAsync() => _page.EvaluateAsync("""
            () => {
              window.__frames = { count: 0, longest: 0, last: performance.now(), start: performance.now(), on: true };
              const tick = now => {
                const f = window.__frames;
                if (!f.on) return;
                f.count++; f.longest = Math.max(f.longest, now - f.last); f.last = now;
                requestAnimationFrame(tick);
              };
              requestAnimationFrame(tick);
            }
            """);

        public async Task<(double Fps, double LongestMs)> StopCountingAsync()
        {
            var result = await _page.EvaluateAsync<double[]>("""
                () => { const f = window.__frames; f.on = false; return [f.count, performance.now() - f.start, f.longest]; }
                """);
            return (result[0] / (result[1] / 1000), result[2]);
        }

        public async ValueTask DisposeAsync() => await _context.DisposeAsync();
    }
}
