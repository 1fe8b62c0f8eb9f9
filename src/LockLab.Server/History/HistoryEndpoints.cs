using System.Globalization;
using System.Text;
using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.History;

/// <summary><c>GET /api/runs</c> (the history, filtered) and <c>GET /api/runs/{id}/export</c> (CSV or JSON).</summary>
public static class HistoryEndpoints
{
    public const int MaxListed = 500;

    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("History");
        runs.MapGet("/", List).WithName("ListRuns");
        runs.MapGet("/{id}/export", Export).WithName("ExportRun");
        return app;
    }

    private static async Task<Results<Ok<RunInfo[]>, ValidationProblem>> List(RunHistory history, RunStore store, CancellationToken ct,
        string? room = null, string? scenario = null, string? status = null, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        RunStatus? parsedStatus = null;
        if (status is not null)
        {
            try
            {
                parsedStatus = JsonSerializer.Deserialize<RunStatus>($"\"{status}\"", ContractsJsonContext.Default.Options);
            }
            catch (JsonException)
            {
                errors["status"] = ["One of queued, running, completed, failed, cancelled, interrupted."];
            }
        }
        if (limit is < 1 or > MaxListed) errors["limit"] = [$"Must be between 1 and {MaxListed}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        // Live runs from memory (their status is current), the rest from the database.
        var stored = await history.ListAsync(new HistoryQuery(room, scenario, parsedStatus, limit), ct);
        var live = stored.Select(r => store.Find(r.Id)?.ToInfo() ?? r).ToArray();
        return TypedResults.Ok(live);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Export(string id, RunHistory history, RunStore store, CancellationToken ct, string format = "json")
    {
        if (format is not ("csv" or "json")) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["Must be 'csv' or 'json'."] });
        var run = store.Find(id) is { } live ? live.ToInfo() : await history.GetRunAsync(id, ct);
        if (run is null) return TypedResults.Problem($"There is no run '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Run not found");
        var events = store.Find(id) is { } inMemory ? inMemory.AllEvents().ToArray() : await history.GetEventsAsync(id, 0, int.MaxValue, ct);

        if (format == "json")
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(new RunExport(run, events), ExportJson.Default.RunExport);
            return TypedResults.File(json, "application/json", $"locklab-run-{id}.json");
        }
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(ToCsv(events))).ToArray(), "text/csv", $"locklab-run-{id}.csv");
    }

    /// <summary>One header row, one event per row, invariant numbers: opens cleanly in any spreadsheet (UTF-8 with BOM for Excel).</summary>
    public static string ToCsv(IEnumerable<RunEvent> events)
    {
        var csv = new StringBuilder("seq,process,pid,kind,value,atMs,writeId,readFrom,replaced,round\r\n");
        foreach (var e in events)
        {
            var kind = JsonSerializer.Serialize(e.Kind, ContractsJsonContext.Default.Options).Trim('"');
            csv.Append(CultureInfo.InvariantCulture, $"{e.Seq},{e.Process},{e.Pid},{kind},{e.Value},{e.AtMs.ToString("0.###", CultureInfo.InvariantCulture)},{e.WriteId},{e.ReadFrom},{e.Replaced},{e.Round}\r\n");
        }
        return csv.ToString();
    }
}

/// <summary>A run and all its events, as <c>export?format=json</c> writes it.</summary>
public sealed record RunExport(RunInfo Run, RunEvent[] Events);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(RunExport))]
internal sealed partial class ExportJson : System.Text.Json.Serialization.JsonSerializerContext;
