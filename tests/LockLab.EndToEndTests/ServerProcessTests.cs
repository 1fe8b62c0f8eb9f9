using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>The server as an OS process: its workers never outlive it.</summary>
[Collection(PublishedLab.Collection)]
public class ServerProcessTests
{
    [Fact]
    public async Task Killing_the_server_hard_mid_run_leaves_no_worker_behind()
    {
        await using var server = await ServerProcess.StartAsync();
        using var client = server.CreateClient(presenter: true);
        // A run of about a minute (600 steps of 100 ms): a worker that missed its server's death would still be
        // counting long after the generous limits below, so meeting them shows the workers noticed, however busy the
        // machine, rather than that they happened to finish.
        var response = await client.PostAsync("/api/runs",
            new StringContent("""{"scenario":"no-lock","room":"kill","iterations":600,"delayMs":100}"""));
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        // Wait until both workers have reported, so we know their pids and that they are mid-run.
        var pids = await Waiting.UntilAsync(async () =>
        {
            var events = await client.GetFromJsonAsync<JsonElement[]>($"/api/runs/{id}/events?after=0");
            var found = events!.Select(e => e.GetProperty("pid").GetInt32()).Distinct().ToArray();
            return found.Length == 2 ? found : null;
        }, TimeSpan.FromSeconds(30), "both workers to report");
        Assert.All(pids, pid => Assert.True(Waiting.IsAlive(pid)));
        // The run's segment is /dev/shm/locklab-{server pid}-{run id}-{random}.shm, for the lab's user only; the orphaned
        // workers must remove it.
        var folder = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var segment = Assert.Single(Directory.GetFiles(folder, $"locklab-{server.Pid}-{id}-*.shm"));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(segment));

        // And some of them are already in the run history on disk (the recorder writes in the background).
        var database = Path.Combine(server.DataPath, "locklab.db");
        Assert.True(await Waiting.UntilAsync(() => StoredEvents(database, id!) > 0, TimeSpan.FromSeconds(10)),
            "no event reached the history");

        var killedAt = Stopwatch.GetTimestamp();
        server.KillHard();

        // Nobody is left to say so: the workers' exits and the file's removal are watched for.
        var allGone = await Waiting.UntilAsync(() => pids.All(pid => !Waiting.IsAlive(pid)), TimeSpan.FromSeconds(20));
        Assert.True(allGone,
            $"workers still alive {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:0} ms after the server was killed");
        // Only an orphaned worker removes it (a worker that ends its job leaves that to the server, dead here).
        Assert.True(await Waiting.UntilAsync(() => !File.Exists(segment), TimeSpan.FromSeconds(20)),
            "the orphaned run's shared memory file was left behind");

        // Restarted on the same data folder, the lab shows the cut-off run as interrupted, with the events it had.
        await using var restarted = await ServerProcess.StartAsync(server.DataPath);
        using var after = restarted.CreateClient();
        var run = await after.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        var kept = await after.GetFromJsonAsync<JsonElement[]>($"/api/runs/{id}/events?after=0");
        Assert.NotEmpty(kept!);
        Assert.Equal(kept!.Length, run.GetProperty("eventCount").GetInt32());
        using var presenter = restarted.CreateClient(presenter: true); // every room's runs: the presenter's list
        var interrupted = await presenter.GetFromJsonAsync<JsonElement[]>("/api/runs?status=interrupted");
        Assert.Contains(interrupted!, r => r.GetProperty("id").GetString() == id);
    }

    private static long StoredEvents(string database, string runId)
    {
        if (!File.Exists(database)) return 0;
        try
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly");
            db.Open();
            using var count = db.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM events WHERE run_id = $id";
            count.Parameters.AddWithValue("$id", runId);
            return (long)count.ExecuteScalar()!;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0; // not created yet, or busy: look again
        }
    }
}
