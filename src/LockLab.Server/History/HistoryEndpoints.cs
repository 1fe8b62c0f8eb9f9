using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using LockLab.Contracts;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LockLab.Server.History;

/// <summary>
/// <c>GET /api/runs</c> (the history, filtered) and <c>GET /api/runs/{id}/export</c> (CSV or JSON). Listing every
/// room's runs names every room (its code is what lets a student in): only the presenter may; anyone else names the room.
/// </summary>
public static class HistoryEndpoints
{
    public const int MaxListed = 500;

    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("History");
        runs.MapGet("/", List).WithName("ListRuns");
        runs.MapGet("/{id}/export", Export).RequireRateLimiting(ReadLimits.ExportsPolicy).WithName("ExportRun");
        return app;
    }

    private static async Task<Results<Ok<RunInfo[]>, ValidationProblem, ProblemHttpResult>> List(
        RunHistory history, RunStore store, HttpContext http, RoomCodeGuesses guesses,
        CancellationToken ct, string? room = null, string? scenario = null, string? status = null, int limit = 100)
    {
        var errors = new Dictionary<string, string[]>();
        var presenter = http.User.IsInRole(PresenterKeyAuthenticationHandler.Role);
        if (string.IsNullOrWhiteSpace(room) && !presenter)
        {
            errors["room"] = ["Name a room (?room=CODE): listing every room's runs needs the presenter key."];
        }
        RunStatus? parsedStatus = null;
        if (status is not null)
        {
            parsedStatus = WireNames.ParseStatus(status);
            if (parsedStatus is null)
                errors["status"] = [$"One of {string.Join(", ", Enum.GetValues<RunStatus>().Select(WireNames.Name))}."];
        }
        if (limit is < 1 or > MaxListed) errors["limit"] = [$"Must be between 1 and {MaxListed}."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        async Task<RunInfo[]> ListAsync()
        {
            // Live runs from memory (their status is current), the rest from the database.
            var stored = await history.ListAsync(new HistoryQuery(room, scenario, parsedStatus, limit), ct);
            return stored.Select(r => store.Find(r.Id)?.ToInfo() ?? r).ToArray();
        }
        if (presenter || room is null) return TypedResults.Ok(await ListAsync());

        // A room's runs tell that its code is (or was) in use: anonymous callers naming rooms are counted as guessing.
        var asked = await guesses.AskAsync(ClientAddress.Of(http), room, async () => await ListAsync() is { Length: > 0 } runs ? runs : null);
        return asked.Refused ? RoomCodeGuesses.TooMany(http) : TypedResults.Ok(asked.Found ?? []);
    }

    /// <summary>Events read per page while exporting: a run of millions of events is written out as it is read, never held whole.</summary>
    public const int ExportPage = 5000;

    private static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> Export(
        string id, RunLookup runs, ExportTurns turns, CancellationToken ct, string format = "json")
    {
        if (format is not ("csv" or "json"))
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["format"] = ["Must be 'csv' or 'json'."] });
        if (await runs.InfoAsync(id) is not { } run)
            return TypedResults.Problem(
                $"There is no run '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Run not found");

        // Every event, page by page from wherever it is now (memory, or the history once it left memory). A page is read
        // and written into the response's buffer in a turn (ExportTurns: exports must not crowd out live runs), then
        // sent to the client outside it, at the client's pace.
        async Task EachPageAsync(PipeWriter pipe, Action<RunEvent[]> write)
        {
            for (long after = 0; ;)
            {
                using (await turns.TakeAsync(ct))
                {
                    var page = await runs.EventsAfterAsync(id, after, ExportPage, ct) ?? [];
                    if (page.Length == 0) return;
                    write(page);
                    after = page[^1].Seq;
                }
                await pipe.FlushAsync(ct);
            }
        }

        if (format == "json")
        {
            return TypedResults.Stream(async body =>
            {
                var pipe = PipeWriter.Create(body);
                await using (var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WritePropertyName("run");
                    JsonSerializer.Serialize(json, run, ContractsJsonContext.Default.RunInfo);
                    json.WriteStartArray("events");
                    json.Flush();
                    await pipe.FlushAsync(ct); // the answer begins at once; its events follow in turn
                    await EachPageAsync(pipe, page =>
                    {
                        foreach (var e in page) JsonSerializer.Serialize(json, e, ContractsJsonContext.Default.RunEvent);
                        json.Flush(); // into the pipe's buffer: no I/O
                    });
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                await pipe.CompleteAsync();
            }, "application/json", $"locklab-run-{id}.json");
        }
        return TypedResults.Stream(async body =>
        {
            var pipe = PipeWriter.Create(body);
            pipe.Write(Encoding.UTF8.GetPreamble()); // UTF-8 with BOM, for Excel
            pipe.Write(Encoding.UTF8.GetBytes(CsvHeader));
            await pipe.FlushAsync(ct); // the answer begins at once; its rows follow in turn
            // Rows go into the pipe's buffer a few kilobytes at a time: one small builder, never a page-sized string.
            var rows = new StringBuilder(2 * CsvFlushChars);
            await EachPageAsync(pipe, page =>
            {
                foreach (var e in page)
                {
                    AppendCsvRow(rows, e);
                    if (rows.Length >= CsvFlushChars) WriteUtf8(rows, pipe);
                }
                WriteUtf8(rows, pipe);
            });
            await pipe.CompleteAsync();
        }, "text/csv", $"locklab-run-{id}.csv");
    }

    /// <summary>CSV text handed to the response's buffer at a time (a row is far shorter than the rest of the builder).</summary>
    private const int CsvFlushChars = 4096;

    private static void WriteUtf8(StringBuilder text, PipeWriter pipe)
    {
        foreach (var chunk in text.GetChunks()) Encoding.UTF8.GetBytes(chunk.Span, pipe);
        text.Clear();
    }

    private const string CsvHeader = "seq,process,pid,kind,value,atMs,writeId,readFrom,replaced,round\r\n";

    /// <summary>
    /// One header row, one event per row, invariant numbers: opens cleanly in any spreadsheet (UTF-8 with BOM
    /// for Excel).
    /// </summary>
    public static string ToCsv(IEnumerable<RunEvent> events) => CsvHeader + ToCsvRows(events);

    private static string ToCsvRows(IEnumerable<RunEvent> events)
    {
        var csv = new StringBuilder();
        foreach (var e in events) AppendCsvRow(csv, e);
        return csv.ToString();
    }

    private static void AppendCsvRow(StringBuilder csv, RunEvent e) =>
        csv.Append(CultureInfo.InvariantCulture,
            $"{e.Seq},{e.Process},{e.Pid},{WireNames.Name(e.Kind)},{e.Value},{e.AtMs.ToString("0.###", CultureInfo.InvariantCulture)}," +
            $"{e.WriteId},{e.ReadFrom},{e.Replaced},{e.Round}\r\n");
}
