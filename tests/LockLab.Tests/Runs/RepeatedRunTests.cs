using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>
/// "Run 100 times": one run that plays the lesson's experiment round after round with real processes, each round
/// from 0 and started as the first, and tallies what each round printed.
/// </summary>
public class RepeatedRunTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<LockLab.Server.Runs.Run> RunAsync(string body)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_lessons_first_experiment_run_five_times_tallies_every_rounds_output_from_its_own_events()
    {
        var run = await RunAsync("""{"scenario":"no-lock","room":"repeated","startMode":"python","delayMs":10,"rounds":5}""");

        Assert.Equal(RunStatus.Completed, run.Status);
        var s = run.Summary!;
        Assert.Null(s.Discrepancy); // every round's lost writes add up to what that round is short of 20
        var events = run.RetainedEvents();
        // Every step is reported with its round; each round prints ten times.
        Assert.All(events.Where(e => e.Kind != EventKind.Exit), e => Assert.InRange(e.Round ?? 0, 1, 5));
        Assert.All(Enumerable.Range(1, 5), r => Assert.Equal(10, events.Count(e => e.Kind == EventKind.Print && e.Round == r)));
        Assert.Equal(5, RoundOutcomes.Rounds(s.Outcomes!));
        Assert.All(s.Outcomes!, o => Assert.Equal(10, o.Printed!.Count));
        Assert.Equal(Tally(RoundOutcomes.FromPrints(run.Parameters, events)), Tally(s.Outcomes!));
        // The updates lost over the rounds are exactly what the rounds' final values are short of.
        Assert.Equal(s.Outcomes!.Sum(o => (s.ExpectedFinalValue - o.FinalValue) * o.Count), s.LostWrites.Sum(l => l.Amount));
    }

    [Fact]
    public async Task With_the_lock_every_round_prints_the_lessons_output_because_p1_starts_first_each_round()
    {
        var run = await RunAsync("""{"scenario":"lock","room":"repeated","startMode":"python","delayMs":5,"rounds":4}""");

        Assert.Equal(RunStatus.Completed, run.Status);
        var only = Assert.Single(run.Summary!.Outcomes!);
        Assert.Equal((20L, 4, true), (only.FinalValue, only.Count, only.Expected));
        Assert.Equal([1L, 2, 3, 4, 5, 8, 11, 14, 17, 20], only.Printed);
    }

    [Theory]
    [InlineData("""{"scenario":"no-lock","rounds":101}""", "rounds", "between 1 and 100")]
    [InlineData("""{"scenario":"no-lock","rounds":3,"mode":"step"}""", "mode", "cannot be stepped")]
    [InlineData("""{"scenario":"no-lock","rounds":100,"processes":8,"iterations":1000}""", "rounds", "events")]
    public async Task A_repeated_run_beyond_the_limits_is_refused_naming_the_field(string body, string field, string says)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains($"\"{field}\"", problem);
        Assert.Contains(says, problem);
    }

    private static List<(long, int, string)> Tally(IReadOnlyList<Outcome> outcomes) =>
        outcomes.Select(o => (o.FinalValue, o.Count, string.Join(' ', o.Printed!))).OrderBy(o => o.Item3, StringComparer.Ordinal).ToList();
}
