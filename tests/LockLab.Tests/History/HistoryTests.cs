using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.Tests.Operations;
using LockLab.Tests.Support;
using LockLab.TestServices;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.History;

/// <summary>A lab that keeps only one finished run in memory, so older runs must come from the history on disk.</summary>
public sealed class ForgetfulLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:Limits:RetainedRuns"] = "1" };
}

/// <summary>The same forgetful lab, its history in PostgreSQL.</summary>
public sealed class PostgresForgetfulLabFactory(PostgresFixture postgres) : PostgresLabServerFactory(postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:Limits:RetainedRuns"] = "1" };
}

public sealed class SqliteHistoryTests(ForgetfulLabFactory lab) : HistoryTests(lab), IClassFixture<ForgetfulLabFactory>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresHistoryTests : HistoryTests, IClassFixture<PostgresForgetfulLabFactory>
{
    private readonly PostgresForgetfulLabFactory _lab;

    public PostgresHistoryTests(PostgresForgetfulLabFactory lab) : base(lab)
    {
        Prerequisites.Require(Prerequisites.PostgreSql); // first: it skips each test here, the inherited ones too
        _lab = lab;
    }

    [SkippableFact]
    public async Task The_lab_keeps_its_history_in_postgresql_and_readiness_names_the_database()
    {
        var ready = await HealthAnswer.GetAsync(_lab.CreateClient(), "/readyz");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(_lab.DatabaseConnectionString).Database;

        Assert.Equal("Healthy", ready.Checks["history"].Status);
        Assert.StartsWith("Run history at postgresql://127.0.0.1:", ready.Checks["history"].Description);
        Assert.Contains($"/{database}:", ready.Checks["history"].Description);
    }
}

/// <summary>What the history serves once runs have left memory: the same on either database.</summary>
public abstract class HistoryTests(LabServerFactory lab)
{
    /// <summary>Starts a run and waits until it is finished and fully on disk.</summary>
    private async Task<RunInfo> RunAndRecordAsync(string body)
    {
        var recorder = lab.Services.GetRequiredService<RunRecorder>();
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        var run = (await Json.ReadAsync<RunInfo>(response))!;
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.Recorded += id => { if (id == run.Id) recorded.TrySetResult(); };
        if (await lab.Services.GetRequiredService<RunHistory>().GetRunAsync(run.Id) is { Status: RunStatus.Completed })
            recorded.TrySetResult();
        await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return run;
    }

    [SkippableFact]
    public async Task A_repeated_runs_events_keep_their_round_in_the_history_and_account_for_its_outcome_table()
    {
        var run = await RunAndRecordAsync("""{"scenario":"no-lock","room":"history-rounds","iterations":2,"delayMs":1,"rounds":3}""");

        var history = lab.Services.GetRequiredService<RunHistory>();
        var events = await history.GetEventsAsync(run.Id, 0, 1000);
        var stored = (await history.GetRunAsync(run.Id))!;
        Assert.Equal([1, 2, 3], events.Where(e => e.Kind != EventKind.Exit).Select(e => e.Round!.Value).Distinct().Order());
        Assert.Equal(
            RoundOutcomes.FromPrints(stored.Parameters, events).Select(o => (o.FinalValue, o.Count, string.Join(' ', o.Printed!))),
            stored.Summary!.Outcomes!.Select(o => (o.FinalValue, o.Count, string.Join(' ', o.Printed!))));
    }

    [SkippableFact]
    public async Task A_run_the_server_no_longer_holds_in_memory_is_served_from_the_history_with_all_its_events()
    {
        var first = await RunAndRecordAsync("""{"scenario":"lock","room":"history","iterations":2,"delayMs":1}""");
        await RunAndRecordAsync("""{"scenario":"no-lock","room":"history","iterations":1,"delayMs":1}""");
        await RunAndRecordAsync("""{"scenario":"no-lock","room":"history","iterations":1,"delayMs":1}""");
        Assert.Null(lab.Services.GetRequiredService<LockLab.Server.Runs.RunStore>().Find(first.Id)); // forgotten in memory

        var client = lab.CreateClient();
        var stored = await Json.ReadAsync<RunInfo>(await client.GetAsync($"/api/runs/{first.Id}"));
        var events = await Json.ReadAsync<RunEvent[]>(await client.GetAsync($"/api/runs/{first.Id}/events?after=0"));

        Assert.Equal(RunStatus.Completed, stored!.Status);
        Assert.Equal([1L, 2, 5, 8], stored.Summary!.Printed);
        Assert.Equal(stored.EventCount, events!.Length);
        Assert.Equal(Enumerable.Range(1, events.Length).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(["p1", "p1", "p2", "p2"], events.Where(e => e.Kind == EventKind.Print).Select(e => e.Process));
    }

    [SkippableFact]
    public async Task The_history_lists_runs_filtered_by_room_scenario_and_status()
    {
        var run = await RunAndRecordAsync("""{"scenario":"lock-per-step","room":"filtered","iterations":1,"delayMs":1}""");
        var client = lab.CreateClient();
        var presenter = lab.CreatePresenterClient();

        var byRoom = await client.GetFromJsonAsync("/api/runs?room=filtered", ContractsJsonContext.Default.RunInfoArray);
        var byScenario = await presenter.GetFromJsonAsync(
            "/api/runs?scenario=lock-per-step&status=completed", ContractsJsonContext.Default.RunInfoArray);
        var none = await client.GetFromJsonAsync("/api/runs?room=filtered&status=failed", ContractsJsonContext.Default.RunInfoArray);

        Assert.Equal(run.Id, Assert.Single(byRoom!).Id);
        Assert.Contains(byScenario!, r => r.Id == run.Id);
        Assert.Empty(none!);
        Assert.Equal(HttpStatusCode.BadRequest, (await presenter.GetAsync("/api/runs?status=sleepy")).StatusCode);
    }

    [SkippableFact]
    public async Task Only_the_presenter_lists_every_rooms_runs_which_would_name_every_room()
    {
        var run = await RunAndRecordAsync("""{"scenario":"lock","room":"secret-room","iterations":1,"delayMs":1}""");

        var anyone = await lab.CreateClient().GetAsync("/api/runs");
        Assert.Equal(HttpStatusCode.BadRequest, anyone.StatusCode);
        Assert.Contains("presenter key", await anyone.Content.ReadAsStringAsync());
        var page = await lab.CreateClient().GetStringAsync("/history");
        Assert.DoesNotContain("secret-room", page);

        var all = await lab.CreatePresenterClient().GetFromJsonAsync("/api/runs", ContractsJsonContext.Default.RunInfoArray);
        Assert.Contains(all!, r => r.Id == run.Id);
        var named = await lab.CreateClient().GetStringAsync("/history?room=secret-room");
        Assert.Contains(run.Id, named);
    }

    [SkippableFact]
    public async Task A_run_exports_as_csv_for_a_spreadsheet_and_as_json()
    {
        var run = await RunAndRecordAsync("""{"scenario":"no-lock","room":"export","iterations":2,"delayMs":1}""");
        var client = lab.CreateClient();

        var csvResponse = await client.GetAsync($"/api/runs/{run.Id}/export?format=csv");
        var csv = (await csvResponse.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var json = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}/export?format=json");

        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("seq,process,pid,kind,value,atMs,writeId,readFrom,replaced,round", rows[0]);
        Assert.Equal(run.Parameters.Processes * (2 * 3) + 2, rows.Length - 1); // one row per event
        Assert.Matches(@"^1,p\d,\d+,(read|write|print|exit),\d+,\d+(\.\d+)?,", rows[1]);
        // A write names its own id, the write it read and the write it replaced; a read, the write it saw.
        Assert.Contains(rows, r => Regex.IsMatch(r, @"^\d+,p\d,\d+,write,\d+,[\d.]+,\d+,\d+,\d+,$"));
        Assert.Contains(rows, r => Regex.IsMatch(r, @"^\d+,p\d,\d+,read,\d+,[\d.]+,,\d+,,$"));
        Assert.Equal(rows.Length - 1, json.GetProperty("events").GetArrayLength());
        Assert.Equal(run.Id, json.GetProperty("run").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/runs/{run.Id}/export?format=xls")).StatusCode);
    }
}
