using System.Globalization;
using System.Text.Json;
using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace LockLab.Bench.Harness;

/// <summary>
/// A process full of viewers: <c>LockLab.Bench viewer-agent --hub URL --room CODE --count N [--client wire|official]</c>
/// opens N real SignalR WebSocket connections, joins each to the room (<see cref="JoinsAtOnce"/> connecting and joining
/// at a time) and records, for every event each of them
/// receives, the moment it arrived. <c>official</c> uses Microsoft's .NET client; <c>wire</c> (default) the lean
/// <see cref="WireViewer"/>. The benchmark runs several of these beside the server, so that receiving costs what it costs a room of
/// real pages and is not hidden inside the process that measures.
/// Talks to its parent over stdin/stdout, one line each: it prints <c>ready</c>; on <c>report RUN</c> it waits until
/// every viewer has seen RUN complete and prints <c>report {json}</c>; <c>cpu</c> prints its CPU time so far; <c>quit</c> ends it.
/// </summary>
public static class ViewerAgent
{
    public const string Command = "viewer-agent";

    /// <summary>
    /// Viewers connecting and joining at the same moment, as a room fills up: the server is not meant to absorb
    /// thousands of handshakes in one instant.
    /// </summary>
    public const int JoinsAtOnce = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        string Arg(string name) => Option(name) ?? throw new ArgumentException($"{Command}: {name} is required");
        var hub = new Uri(Arg("--hub"));
        var room = Arg("--room");
        var count = int.Parse(Arg("--count"), CultureInfo.InvariantCulture);
        var official = Option("--client") == "official";

        var viewers = Enumerable.Range(0, count).Select(_ => new Viewer()).ToArray();
        await Parallel.ForEachAsync(viewers, new ParallelOptions { MaxDegreeOfParallelism = JoinsAtOnce }, (viewer, ct) =>
            new ValueTask(official ? viewer.ConnectOfficialAsync(hub, room, ct) : viewer.ConnectWireAsync(hub, room, ct)));
        using var stopPinging = new CancellationTokenSource();
        var pinging = official ? Task.CompletedTask : WireViewer.PingAllAsync(viewers.Select(v => v.Wire!).ToArray(), stopPinging.Token);
        Console.WriteLine("ready");

        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["report", var runId, var timeoutSeconds])
            {
                var report = await ReportAsync(
                    viewers, runId, TimeSpan.FromSeconds(double.Parse(timeoutSeconds, CultureInfo.InvariantCulture)));
                Console.WriteLine("report " + JsonSerializer.Serialize(report, AgentJson.Default.AgentReport));
            }
            else if (parts is ["cpu"])
            {
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                Console.WriteLine("cpu " + self.TotalProcessorTime.TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
            }
            else if (parts is ["quit"]) break;
        }
        await stopPinging.CancelAsync();
        await pinging;
        await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
        return 0;
    }

    private static async Task<AgentReport> ReportAsync(Viewer[] viewers, string runId, TimeSpan timeout)
    {
        var traces = viewers.Select(v => v.Trace(runId)).ToArray();
        try
        {
            await Task.WhenAll(traces.Select(t => t.Completed.Task)).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // Reported below as viewers that did not see the whole run.
        }

        var latencies = new List<double>();
        int complete = 0;
        long lost = 0, reordered = 0;
        foreach (var trace in traces)
        {
            lock (trace)
            {
                var info = trace.Completed.Task.IsCompletedSuccessfully ? trace.Completed.Task.Result : null;
                long expectedNext = 1;
                var seen = new HashSet<long>();
                foreach (var e in trace.Events)
                {
                    if (e.Seq != expectedNext) reordered++;
                    expectedNext = e.Seq + 1;
                    seen.Add(e.Seq);
                    if (info?.StartedAt is { } started)
                    {
                        // The worker's own clock (milliseconds after the start gate) against this process's clock; both are
                        // the machine's clocks, and the server records the gate's wall time the instant it opens it.
                        latencies.Add(Math.Round(
                            (e.ReceivedUtcTicks - started.UtcTicks) / (double)TimeSpan.TicksPerMillisecond - e.AtMs, 3));
                    }
                }
                var missing = info is null ? 1 : Math.Max(0, info.EventCount - seen.Count);
                lost += missing;
                if (info is not null && missing == 0) complete++;
            }
        }
        // Reported once: what the viewers kept of this run goes, so memory does not grow round after round.
        foreach (var viewer in viewers) viewer.Forget(runId);
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new AgentReport(viewers.Length, complete, lost, reordered, latencies,
            ProcessMemory.ResidentBytes(Environment.ProcessId), self.TotalProcessorTime.TotalMilliseconds);
    }

    private sealed class Viewer : IAsyncDisposable
    {
        private readonly Dictionary<string, RunTrace> _runs = new(StringComparer.Ordinal);
        private IAsyncDisposable? _connection;

        /// <summary>The lean client, when this viewer uses it.</summary>
        public WireViewer? Wire => _connection as WireViewer;

        public async Task ConnectOfficialAsync(Uri hub, string room, CancellationToken cancellationToken)
        {
            var connection = HubConnections.Create(hub, key: null);
            _connection = connection;
            connection.On<string, RunEvent[]>(nameof(ILabClient.RunEvents), (runId, events) =>
                Received(runId, events.Select(e => (e.Seq, e.AtMs)).ToArray(), DateTime.UtcNow.Ticks));
            connection.On<RunInfo>(nameof(ILabClient.RunCompleted), run => Trace(run.Id).Completed.TrySetResult(run));
            connection.On<RunInfo>(nameof(ILabClient.RunStarted), _ => { });
            connection.On<string, int>(nameof(ILabClient.ViewersChanged), (_, _) => { });
            connection.On<string, string, int>(nameof(ILabClient.PageChanged), (_, _, _) => { });
            await connection.StartAsync(cancellationToken);
            await connection.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room, cancellationToken);
        }

        public async Task ConnectWireAsync(Uri hub, string room, CancellationToken cancellationToken)
        {
            var connection = new WireViewer
            {
                OnEvents = (runId, events, at) => Received(runId, events, at),
                OnCompleted = run => Trace(run.Id).Completed.TrySetResult(run),
            };
            _connection = connection;
            await connection.StartAsync(hub, room, cancellationToken);
        }

        private void Received(string runId, ReadOnlySpan<(long Seq, double AtMs)> events, long receivedUtcTicks)
        {
            var trace = Trace(runId);
            lock (trace)
            {
                foreach (var (seq, atMs) in events) trace.Events.Add(new Received(seq, atMs, receivedUtcTicks));
            }
        }

        private RunTrace? _lastTrace;

        public void Forget(string runId)
        {
            lock (_runs)
            {
                _runs.Remove(runId);
                if (_lastTrace?.RunId == runId) _lastTrace = null;
            }
        }

        public RunTrace Trace(string runId)
        {
            lock (_runs)
            {
                // Message after message of the same run: no lookup.
                if (_lastTrace is { } last && ReferenceEquals(last.RunId, runId)) return last;
                if (!_runs.TryGetValue(runId, out var trace)) _runs[runId] = trace = new RunTrace(runId);
                return _lastTrace = trace;
            }
        }

        public ValueTask DisposeAsync() => _connection?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private sealed class RunTrace(string runId)
    {
        public string RunId { get; } = runId;
        public List<Received> Events { get; } = [];
        public TaskCompletionSource<RunInfo> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct Received(long Seq, double AtMs, long ReceivedUtcTicks);
}

/// <summary>One agent's account of one run: how many of its viewers saw all of it, in order, and how late.</summary>
/// <param name="CpuMs">CPU time the agent process has used since it started (connecting included).</param>
public sealed record AgentReport(
    int Viewers, int Complete, long Lost, long Reordered, List<double> LatenciesMs, long ResidentBytes, double CpuMs);

[System.Text.Json.Serialization.JsonSerializable(typeof(AgentReport))]
internal sealed partial class AgentJson : System.Text.Json.Serialization.JsonSerializerContext;
