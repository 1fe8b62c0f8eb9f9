using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>
/// Every scenario's truth, run by the real server in real worker processes: what a student must see, in the lesson's
/// experiments and beyond them.
/// </summary>
public class ScenarioTests(LongStressLabFactory lab) : IClassFixture<LongStressLabFactory>
{
    private async Task<RunInfo> RunAsync(string body)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var accepted = await Json.ReadAsync<RunInfo>(response);
        var run = await lab.WaitForRunAsync(accepted!.Id);
        Assert.Equal(RunStatus.Completed, run.Status);
        return run.ToInfo();
    }

    [Fact]
    public async Task Lost_update_loses_updates_and_names_which_write_erased_which()
    {
        // p2 reads 5 ms after p1 and p1 writes 50 ms after its read: both hold the same stale value, unless the machine
        // is so busy that a process is held up for the whole gap. Then nothing is lost, honestly: run it again (at most
        // 3 times). The exact loss, independent of timing, is shown in step mode (StepModeTests).
        RunInfo run = null!;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            run = await RunAsync("""{"scenario":"lost-update","room":"scenarios"}""");
            if (run.Summary!.LostUpdates >= 1) break;
        }
        var s = run.Summary!;

        Assert.True(s.LostUpdates >= 1, "the read-write gap must lose at least one update");
        Assert.True(s.ActualFinalValue < s.ExpectedFinalValue);
        // What is missing from the final value is exactly what the lost writes had added.
        Assert.Equal(s.ExpectedFinalValue - s.ActualFinalValue, s.LostWrites.Sum(l => l.Amount));
        Assert.Null(s.Discrepancy);
        var first = s.LostWrites[0];
        Assert.NotEqual(first.Process, first.OverwrittenBy);
    }

    [Fact]
    public async Task Lock_per_step_interleaves_yet_loses_nothing()
    {
        var run = await RunAsync("""{"scenario":"lock-per-step","room":"scenarios","gapMs":20}""");
        var s = run.Summary!;
        var prints = (await lab.WaitForRunAsync(run.Id)).RetainedEvents()
            .Where(e => e.Kind == EventKind.Print).Select(e => e.Process).ToList();

        Assert.Equal(0, s.LostUpdates);
        Assert.Equal(s.ExpectedFinalValue, s.ActualFinalValue);
        Assert.True(prints.IndexOf("p2") < prints.LastIndexOf("p1"), "per-step locking still interleaves the processes");
    }

    [Fact]
    public async Task A_whole_loop_lock_never_loses_even_with_a_read_write_gap_and_four_processes()
    {
        var run = await RunAsync("""{"scenario":"lock","room":"scenarios","processes":4,"iterations":3,"delayMs":5,"gapMs":5}""");
        Assert.Equal(0, run.Summary!.LostUpdates);
        Assert.Equal(24, run.Summary.ActualFinalValue); // (1+3+1+3) × 3
    }

    [Fact]
    public async Task The_lock_override_turns_a_racy_scenario_safe()
    {
        var run = await RunAsync("""{"scenario":"lost-update","room":"scenarios","lock":"step"}""");
        Assert.Equal(0, run.Summary!.LostUpdates);
        Assert.Equal(run.Summary.ExpectedFinalValue, run.Summary.ActualFinalValue);
    }

    [Fact]
    public async Task Stress_tabulates_outcomes_over_rounds_and_measures_increments_per_second()
    {
        // Two cores, no lock: rounds lose updates, but only while both processes run at once, or one is interrupted
        // between its read and its write. Without the lock a process counts a million times in a millisecond or two, which
        // a busy machine (this test suite) may well run on one core, one process after the other: hence ten million per
        // round. On a machine so busy that still nothing was lost, run it again (at most 3 times).
        RunInfo racy = null!;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            racy = await RunAsync("""{"scenario":"stress","room":"scenarios","iterations":10000000,"rounds":10}""");
            if (racy.Summary!.Outcomes!.Any(o => !o.Expected)) break;
        }
        var locked = await RunAsync("""{"scenario":"stress","room":"scenarios","iterations":200000,"rounds":10,"lock":"step"}""");

        Assert.Equal(10, racy.Summary!.Outcomes!.Sum(o => o.Count));
        Assert.Contains(racy.Summary.Outcomes!, o => !o.Expected);
        var only = Assert.Single(locked.Summary!.Outcomes!);
        Assert.Equal((400_000L, 10, true), (only.FinalValue, only.Count, only.Expected));
        Assert.True(locked.Summary.IncrementsPerSecond > 0);
        Assert.Equal(2, racy.EventCount); // only the two exit events: stress reports outcomes, not steps
    }

    [Fact]
    public async Task A_stress_run_cannot_be_asked_to_report_every_step()
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"stress","rounds":1,"iterations":1000000}"""));
        var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);
        Assert.Equal(2, run.EventCount);
    }
}

/// <summary>The lab with a higher limit on stress iterations, for races long enough to show on a busy machine.</summary>
public sealed class LongStressLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["LockLab:Limits:MaxStressIterations"] = "10000000" };
}
