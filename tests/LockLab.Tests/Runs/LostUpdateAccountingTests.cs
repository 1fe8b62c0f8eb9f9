using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Runs;

/// <summary>
/// Races as fast as the lab can run them (no sleeps), real processes, many times: whatever interleaving the machine
/// produced, the lost writes the summary names add up to exactly what the final value is missing.
/// </summary>
public class LostUpdateAccountingTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    public static TheoryData<string, int> Races()
    {
        var data = new TheoryData<string, int>();
        foreach (var scenario in new[] { Scenarios.NoLock, Scenarios.LostUpdate })
        {
            // The fewest and the most processes a run may have, and two between (every count from 2 to 8 took the suite
            // a quarter of a minute more and found nothing these do not).
            foreach (var processes in new[] { 2, 3, 5, 8 }) data.Add(scenario, processes);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Races))]
    public async Task Lost_writes_add_up_to_the_missing_amount_in_every_run(string scenario, int processes)
    {
        // no-lock: a thousand unprotected increments each; lost-update: its 50 ms read-write gap, five times each.
        var iterations = scenario == Scenarios.NoLock ? 1000 : 5;
        var client = lab.CreatePresenterClient();
        var lostInAll = 0;
        for (var round = 0; round < 4; round++)
        {
            var response = await client.PostAsync("/api/runs", Json.Body(
                $$"""{"scenario":"{{scenario}}","room":"accounting-{{processes}}","processes":{{processes}}""" +
                    $$""","iterations":{{iterations}},"delayMs":0}"""));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var run = await lab.WaitForRunAsync((await Json.ReadAsync<RunInfo>(response))!.Id);
            Assert.Equal(RunStatus.Completed, run.Status);

            var s = run.Summary!;
            Assert.Null(s.Discrepancy);
            Assert.Equal(s.ExpectedFinalValue - s.ActualFinalValue, s.LostWrites.Sum(l => l.Amount));
            Assert.Equal(s.LostWrites.Count, s.LostUpdates);
            Assert.All(s.LostWrites, l => Assert.True(l.OverwrittenBySeq > 0, $"lost write {l.Seq} names no eraser"));
            Assert.Equal((long)processes * iterations, run.RetainedEvents().Count(e => e.Kind == EventKind.Write));
            lostInAll += s.LostUpdates;
        }
        // The gap guarantees losses whatever the machine; a thousand increments at full speed nearly always lose some.
        if (scenario == Scenarios.LostUpdate) Assert.True(lostInAll > 0, "the read-write gap must lose updates");
    }
}
