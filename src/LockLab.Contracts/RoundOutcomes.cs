namespace LockLab.Contracts;

/// <summary>
/// The outcome table of a run repeated round after round: how often each outcome came out. A stress run's outcome is
/// its final value; a repeated lesson experiment's ("Run 100 times") is what it printed, in order, and the value it
/// ended at, so that the table shows how often Python-like scheduling gives the lesson's output and how often another.
/// Pure: the server builds the stored summary with it, the page the live table while rounds finish.
/// </summary>
public static class RoundOutcomes
{
    /// <summary>A stress run: one final value per round, as the server read it from shared memory.</summary>
    public static IReadOnlyList<Outcome> FromFinalValues(RunParameters parameters, IEnumerable<long> finalValues) =>
        finalValues.GroupBy(v => v)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => new Outcome(g.Key, g.Count(), g.Key == parameters.ExpectedFinalValue))
            .ToList();

    /// <summary>
    /// A repeated run that reports its steps: the rounds whose prints have all arrived (every process prints once per
    /// iteration), grouped by their printed output. A round's final value is its last print: each print reads the
    /// shared value after taking its place in the run's order, so the last one shows what the round ended at.
    /// </summary>
    /// <param name="events">The run's events so far, in <c>seq</c> order (a live run's may still be coming).</param>
    public static IReadOnlyList<Outcome> FromPrints(RunParameters parameters, IEnumerable<RunEvent> events)
    {
        var rounds = new SortedDictionary<int, List<long>>();
        foreach (var e in events)
        {
            if (e.Kind != EventKind.Print) continue;
            var round = e.Round ?? 1;
            if (!rounds.TryGetValue(round, out var printed))
                rounds[round] = printed = new List<long>(parameters.Processes * parameters.Iterations);
            printed.Add(e.Value);
        }
        return FromRoundPrints(parameters, rounds);
    }

    /// <summary>As <see cref="FromPrints"/>, from each round's printed values (in order).</summary>
    public static IReadOnlyList<Outcome> FromRoundPrints(RunParameters parameters, IReadOnlyDictionary<int, List<long>> rounds)
    {
        var printsPerRound = parameters.Processes * parameters.Iterations;
        return rounds.OrderBy(r => r.Key).Select(r => r.Value)
            .Where(printed => printed.Count == printsPerRound)
            .GroupBy(printed => string.Join(' ', printed))
            .Select(g => (Printed: g.First(), Count: g.Count()))
            .OrderByDescending(o => o.Count).ThenBy(o => o.Printed[^1]).ThenBy(o => string.Join(' ', o.Printed), StringComparer.Ordinal)
            .Select(o => new Outcome(o.Printed[^1], o.Count, o.Printed[^1] == parameters.ExpectedFinalValue, o.Printed))
            .ToList();
    }

    /// <summary>How many rounds the outcomes cover.</summary>
    public static int Rounds(IReadOnlyList<Outcome> outcomes) => outcomes.Sum(o => o.Count);
}
