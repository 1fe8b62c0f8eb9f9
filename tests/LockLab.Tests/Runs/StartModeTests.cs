using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>The three start modes by name, through the API, as a teacher's script or a lesson file names them.</summary>
public class StartModeTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task Python_mode_runs_the_lessons_second_experiment_to_its_output()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"modes","startMode":"python","delayMs":20}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"startMode\":\"python\"", await response.Content.ReadAsStringAsync());
        var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(StartMode.Python, run.Parameters.StartMode);
        // With the lock held around the loop, whoever starts first runs to the end: p1, as p1.start() comes first.
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], run.Summary!.Printed);
    }

    [Fact]
    public async Task The_lesson_schedule_is_named_lesson_and_its_earlier_name_is_still_read()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"modes","startMode":"ordered","iterations":1,"delayMs":1}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"startMode\":\"lesson\"", await response.Content.ReadAsStringAsync());
        await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);
    }

    [Fact]
    public async Task An_unknown_start_mode_is_refused_naming_the_three()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"modes","startMode":"sideways"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'lesson', 'python' or 'simultaneous'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Every_mode_has_a_name_that_reads_back_and_a_one_line_explanation()
    {
        foreach (var mode in Enum.GetValues<StartMode>())
        {
            Assert.Equal(mode, StartModes.Parse(StartModes.Name(mode)));
            Assert.False(string.IsNullOrWhiteSpace(StartModes.Describe(mode)));
        }
    }
}
