using System.Net;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.Server.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LockLab.Tests.Support;

/// <summary>
/// The real server in-process (test host), starting real worker processes. Its settings can be overridden per
/// test class (e.g. a short run time limit).
/// </summary>
public class LabServerFactory : WebApplicationFactory<Program>
{
    public const string Key = "test-presenter-key-7Qm2Xc9Lp4Rv";

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The history's PostgreSQL connection string (<c>LockLab:Database</c>); none: SQLite under <see cref="DataPath"/>.</summary>
    protected virtual string? Database => null;

    /// <summary>
    /// The recorder's pauses between attempts at a failed history write; none: the server's own. For a lab whose history
    /// can never take a write (the server's stop, at the end of the class, waits until the recorder has given up).
    /// </summary>
    protected virtual IReadOnlyList<TimeSpan>? HistoryRetryDelays => null;

    /// <summary>This lab's own run history, thrown away with it.</summary>
    public string DataPath { get; } = Directory.CreateTempSubdirectory("locklab-data-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("LockLab:PresenterKey", Key);
        builder.UseSetting("LockLab:DataPath", DataPath);
        if (Database is { } database) builder.UseSetting("LockLab:Database", database);
        foreach (var (name, value) in Settings) builder.UseSetting(name, value);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        if (HistoryRetryDelays is { } delays) host.Services.GetRequiredService<RunRecorder>().RetryDelays = delays;
        return host;
    }

    /// <summary>
    /// Opens a room as a presenter does (joining it with the key, or starting a run or showing a page in it): from then
    /// on anyone may join it. A viewer cannot bring a room into being.
    /// </summary>
    public void OpenRoom(string room) => Services.GetRequiredService<LockLab.Server.Rooms.RoomRegistry>().Touch(room);

    public HttpClient CreatePresenterClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Key);
        return client;
    }

    /// <summary>A SignalR connection to <c>/hubs/lab</c> through the test server, with or without the presenter key, and
    /// in the language a browser would ask for (<c>Accept-Language</c>), if any.</summary>
    public HubConnection CreateHubConnection(bool presenter = false, string? language = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(Server.BaseAddress, "/hubs/lab"), o =>
            {
                o.HttpMessageHandlerFactory = _ => Server.CreateHandler();
                o.WebSocketFactory = async (context, ct) =>
                {
                    var ws = Server.CreateWebSocketClient();
                    ws.ConfigureRequest = r =>
                    {
                        if (presenter) r.Headers.Authorization = $"Bearer {Key}";
                        if (language is not null) r.Headers.AcceptLanguage = language;
                    };
                    return await ws.ConnectAsync(context.Uri, ct);
                };
                if (presenter) o.AccessTokenProvider = () => Task.FromResult<string?>(Key);
            })
            .Build();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            if (Directory.Exists(DataPath)) Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is cleaned by the OS eventually.
        }
    }

    /// <summary>
    /// Step mode: lets <paramref name="process"/> take its next step and waits (on the run's own signal) until
    /// it has reported <paramref name="expected"/> (a run that is still queued is waited for first). A step run
    /// does nothing between steps, so what a test sees in between does not depend on how fast the machine is.
    /// </summary>
    public async Task StepAsync(string runId, string process, EventKind expected)
    {
        // A step waits for the run's workers to be at the gate: a run still queued or starting refuses it.
        var before = (int)(await WaitForRunAsync(runId, r => r.Status != RunStatus.Queued)).EventCount;
        using var presenter = CreatePresenterClient();
        var response = await presenter.PostAsync($"/api/runs/{runId}/step", Json.Body($$"""{"process":"{{process}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await WaitForRunAsync(runId, r => r.RetainedEvents().Skip(before).Any(e => e.Process == process && e.Kind == expected));
    }

    /// <summary>The run as this lab holds it now.</summary>
    public Run FindRun(string id) =>
        Services.GetRequiredService<RunStore>().Find(id) ?? throw new InvalidOperationException($"No run {id}");

    /// <summary>Waits (on the run's own change signal, not a clock) until the run has finished.</summary>
    public Task<Run> WaitForRunAsync(string id, TimeSpan? timeout = null) => WaitForRunAsync(id, run => run.IsFinished, timeout);

    /// <summary>Waits (on the run's own change signal, not a clock) until <paramref name="reached"/> holds for the run.</summary>
    public async Task<Run> WaitForRunAsync(string id, Func<Run, bool> reached, TimeSpan? timeout = null)
    {
        var run = FindRun(id);
        var patience = timeout ?? TimeSpan.FromSeconds(30);
        using var cts = new CancellationTokenSource(patience);
        while (true)
        {
            var changed = run.Changed; // taken before looking: a change in between completes it, and is not missed
            if (reached(run)) return run;
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                // Where the run stands says where it was held up (the start gate, the events, the end).
                throw new TimeoutException(
                    $"Run {id} did not get there within {patience.TotalSeconds:0} s: {run.Status}, gate opened: {run.GateOpened}, " +
                    $"{run.EventCount} events, where the time went: " +
                    System.Text.Json.JsonSerializer.Serialize(run.Timeline.ToTimings(run.Id), ContractsJsonContext.Default.RunTimings));
            }
        }
    }
}
