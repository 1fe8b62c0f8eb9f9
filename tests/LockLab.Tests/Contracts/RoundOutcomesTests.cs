using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

/// <summary>A run repeated round after round: each round judged on its own, the outcomes tallied by what they printed.</summary>
public class RoundOutcomesTests
{
    private const int A1 = 0x01000001, A2 = 0x01000002, B1 = 0x02000001, B2 = 0x02000002;

    private static readonly RunParameters TwoRounds = new(2, 1, [1, 3], 0, 0, LockScope.None, StartMode.Python, Rounds: 2);

    private static RunEvent Write(long seq, string p, long value, int id, int from, int replaced, int round) =>
        new(seq, p, 1, EventKind.Write, value, 0, WriteId: id, ReadFrom: from, Replaced: replaced, Round: round);

    private static RunEvent Print(long seq, string p, long value, int round) => new(seq, p, 1, EventKind.Print, value, 0, Round: round);

    /// <summary>Round 1: p1 then p2, nothing lost (prints 1 4). Round 2: both read 0, p2's 3 lands over p1's 1 (prints 3 3).</summary>
    private static readonly RunEvent[] RightThenLost =
    [
        Write(1, "p1", 1, A1, 0, 0, round: 1), Print(2, "p1", 1, round: 1),
        Write(3, "p2", 4, B1, A1, A1, round: 1), Print(4, "p2", 4, round: 1),
        Write(5, "p1", 1, A2, 0, 0, round: 2), Write(6, "p2", 3, B2, 0, A2, round: 2),
        Print(7, "p1", 3, round: 2), Print(8, "p2", 3, round: 2),
    ];

    private static RunSummary Summarize(RunEvent[] events, params long[] roundFinals) =>
        RunSummaryBuilder.Build(TwoRounds, events, roundFinals[^1], 1,
            new Dictionary<string, (int, int?)> { ["p1"] = (10, 0), ["p2"] = (11, 0) }, roundFinals);

    [Fact]
    public void Each_round_starts_from_zero_and_is_judged_on_its_own()
    {
        var s = Summarize(RightThenLost, 4, 3);

        // Only round 2's p1 write is lost: round 1's writes are not "lost" to round 2's reset.
        var lost = Assert.Single(s.LostWrites);
        Assert.Equal((5L, "p1", 1L), (lost.Seq, lost.Process, lost.Amount));
        Assert.Null(s.Discrepancy);
        Assert.Equal([(4L, 1, true, "1 4"), (3L, 1, false, "3 3")], s.Outcomes!
            .Select(o => (o.FinalValue, o.Count, o.Expected, string.Join(' ', o.Printed!)))
            .OrderByDescending(o => o.Item1));
    }

    [Fact]
    public void A_round_whose_final_value_its_events_do_not_explain_is_named_in_the_discrepancy()
    {
        // The server read 4 at the end of round 2, but round 2's last write left 3.
        var s = Summarize(RightThenLost, 4, 4);

        Assert.NotNull(s.Discrepancy);
        Assert.StartsWith("Round 2:", s.Discrepancy);
    }

    [Fact]
    public void The_live_table_counts_only_rounds_whose_prints_have_all_arrived_and_groups_equal_outputs()
    {
        var events = new List<RunEvent>
        {
            Print(1, "p1", 1, round: 1), Print(2, "p2", 4, round: 1),
            Print(3, "p1", 1, round: 2), Print(4, "p2", 4, round: 2),
            Print(5, "p1", 3, round: 3), // round 3 still going
        };

        var outcomes = RoundOutcomes.FromPrints(TwoRounds with { Rounds = 3 }, events);

        var only = Assert.Single(outcomes);
        Assert.Equal((4L, 2, true), (only.FinalValue, only.Count, only.Expected));
        Assert.Equal([1L, 4], only.Printed);
        Assert.Equal(2, RoundOutcomes.Rounds(outcomes));
    }

    [Fact]
    public void A_stress_runs_outcomes_are_its_rounds_final_values_most_frequent_first()
    {
        var stress = new RunParameters(2, 10, [1, 1], 0, 0, LockScope.None, StartMode.Simultaneous, Rounds: 4, ReportsSteps: false);

        var outcomes = RoundOutcomes.FromFinalValues(stress, [20, 19, 20, 20]);

        Assert.Equal([(20L, 3, true), (19L, 1, false)], outcomes.Select(o => (o.FinalValue, o.Count, o.Expected)));
        Assert.All(outcomes, o => Assert.Null(o.Printed));
    }
}
