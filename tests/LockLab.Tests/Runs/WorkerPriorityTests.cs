using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>
/// A big run's workers yield the machine (nice 10) to the server that reports them and to a browser beside it; a lesson
/// run's keep normal priority, as its timing is what the lesson shows.
/// </summary>
public sealed class WorkerPriorityTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    /// <summary>
    /// Starts a step-mode run (its workers wait for each step, so they are alive to look at) and returns p1's
    /// nice value.
    /// </summary>
    private async Task<(string RunId, int Nice)> NiceOfFirstWorkerAsync(string body)
    {
        using var presenter = lab.CreatePresenterClient();
        var response = await presenter.PostAsync("/api/runs", Json.Body(body));
        response.EnsureSuccessStatusCode();
        var id = (await Json.ReadAsync<RunInfo>(response))!.Id;
        await lab.StepAsync(id, "p1", EventKind.Read);
        var pid = lab.FindRun(id).RetainedEvents().First(e => e.Process == "p1").Pid;
        // /proc/<pid>/stat: "pid (comm) state …"; after the closing parenthesis, nice is the 17th field.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var nice = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16]);
        return (id, nice);
    }

    private async Task StopAsync(string runId)
    {
        using var presenter = lab.CreatePresenterClient();
        (await presenter.PostAsync($"/api/runs/{runId}/stop", null)).EnsureSuccessStatusCode();
        await lab.WaitForRunAsync(runId);
    }

    [SkippableFact]
    public async Task A_big_runs_workers_run_below_normal_priority_and_a_lesson_runs_at_normal()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads the workers' nice value from /proc");

        var (big, bigNice) = await NiceOfFirstWorkerAsync(
            """{"scenario":"no-lock","processes":8,"iterations":1000,"delayMs":0,"mode":"step","room":"nice-big"}""");
        await StopAsync(big);
        var (lesson, lessonNice) = await NiceOfFirstWorkerAsync("""{"scenario":"no-lock","mode":"step","room":"nice-lesson"}""");
        await StopAsync(lesson);

        Assert.Equal(10, bigNice);
        Assert.Equal(0, lessonNice);
    }
}
