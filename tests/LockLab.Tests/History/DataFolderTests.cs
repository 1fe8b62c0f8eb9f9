using System.Net;
using LockLab.Contracts;
using LockLab.Server.History;
using LockLab.Tests.Operations;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.History;

/// <summary>A lab whose <c>LockLab:DataPath</c> does not exist yet, as on a fresh clone (no <c>data/</c> folder).</summary>
public sealed class FreshDataFolderLabFactory : LabServerFactory
{
    public string MissingFolder => Path.Combine(DataPath, "not", "created", "yet");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("LockLab:DataPath", MissingFolder);
    }
}

public class DataFolderTests(FreshDataFolderLabFactory lab) : IClassFixture<FreshDataFolderLabFactory>
{
    [Fact]
    public async Task A_data_folder_that_does_not_exist_yet_is_created_and_the_history_keeps_runs()
    {
        Assert.False(Directory.Exists(lab.MissingFolder)); // nothing has started the lab yet

        var ready = await HealthAnswer.GetAsync(lab.CreateClient(), "/readyz");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.Code, ready.Checks["history"].Status));
        Assert.Null(lab.Services.GetRequiredService<RunHistory>().StartupError);

        var recorder = lab.Services.GetRequiredService<RunRecorder>();
        var recorded = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.Recorded += id => recorded.TrySetResult(id);
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body("""{"scenario":"lock","delayMs":0}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = (await Json.ReadAsync<RunInfo>(response))!;
        await lab.WaitForRunAsync(run.Id);
        Assert.Equal(run.Id, await recorded.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        var listed = await Json.ReadAsync<RunInfo[]>(await lab.CreatePresenterClient().GetAsync("/api/runs"));
        Assert.Contains(listed!, r => r.Id == run.Id && r.Status == RunStatus.Completed);
        Assert.True(File.Exists(Path.Combine(lab.MissingFolder, SqliteHistoryDialect.FileName)));
    }

    [Fact]
    public void A_folder_that_cannot_be_created_is_refused_with_the_reason()
    {
        var blocker = Path.Combine(lab.DataPath, "a-file-in-the-way");
        File.WriteAllText(blocker, "not a folder");

        var refused = Assert.ThrowsAny<IOException>(() => SqliteHistoryDialect.EnsureWritableFolder(Path.Combine(blocker, "data")));

        Assert.Contains(blocker, refused.Message);
    }
}
