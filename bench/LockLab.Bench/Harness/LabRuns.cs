using System.Net.Http.Json;
using LockLab.Contracts;

namespace LockLab.Bench.Harness;

/// <summary>Starting runs and reading them back over the lab's public HTTP API, as a remote control would.</summary>
public static class LabRuns
{
    public static async Task<RunInfo> StartAsync(HttpClient http, RunRequest request)
    {
        using var response = await http.PostAsJsonAsync("/api/runs", request, ContractsJsonContext.Default.RunRequest);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException(
                $"Starting a run failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RunInfo))!;
    }

    public static async Task<RunInfo> GetAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync($"/api/runs/{id}", ContractsJsonContext.Default.RunInfo))!;

    /// <summary>Polls until the run has finished (benchmarks only: pages are told by the hub).</summary>
    public static async Task<RunInfo> WaitFinishedAsync(HttpClient http, string id, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var run = await GetAsync(http, id);
            if (run.IsFinished) return run;
            await Task.Delay(50, deadline.Token);
        }
    }

    /// <summary>Where the run's time went on the server (<c>GET /api/runs/{id}/timings</c>).</summary>
    public static async Task<RunTimings> TimingsAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync($"/api/runs/{id}/timings", ContractsJsonContext.Default.RunTimings))!;

    /// <summary>What the run's processes printed, in order (the lesson's output).</summary>
    public static async Task<long[]> PrintedAsync(HttpClient http, string id)
    {
        var events = await http.GetFromJsonAsync($"/api/runs/{id}/events", ContractsJsonContext.Default.RunEventArray);
        return events!.Where(e => e.Kind == EventKind.Print).OrderBy(e => e.Seq).Select(e => e.Value).ToArray();
    }

    /// <summary>Throws unless the run completed: a figure from a failed run would be meaningless.</summary>
    public static RunInfo EnsureCompleted(RunInfo run) =>
        run.Status == RunStatus.Completed ? run : throw new InvalidOperationException($"Run {run.Id} ended {run.Status}: {run.Error}");
}
