namespace LockLab.Contracts;

/// <summary>
/// Big runs, which report more events than anyone can read (a million increments at a few hundred thousand events a
/// second): a page shows their latest lines, the counter and the rate, and keeps the full log one link away. The rule
/// that makes a run big is shared by the server and the page, so that both agree before the first event.
/// <para>
/// A page that shows only a big run's latest lines may say so to the hub (<see cref="ILabHub.ShowLatestOnly"/>):
/// from then on it is sent, for big runs only, the latest <see cref="EventsPerMessage"/> events at most every
/// <see cref="EveryMs"/> milliseconds (and the run's last events before <c>RunCompleted</c>), not every event, and
/// a summary with short lists. A connection that does not ask — a SignalR viewer that tabulates the whole run —
/// gets every event, as always.
/// </para>
/// </summary>
public static class LatestLines
{
    /// <summary>Runs expected to report more events than this are big.</summary>
    public const int KeepAllUpTo = 20_000;

    /// <summary>How often a page that shows a big run's latest lines is sent them: ten times a second.</summary>
    public const int EveryMs = 100;

    /// <summary>Events in each of those messages: more than a screenful of printed lines (a third of the events).</summary>
    public const int EventsPerMessage = 150;

    /// <summary>Printed values and lost writes listed in the summary such a page is sent (<see cref="RunInfo.ForLatestLines"/>).</summary>
    public const int SummaryListLimit = 10;


    /// <summary>Events a run of these parameters reports, at least: read, write and print per increment when it reports steps.</summary>
    public static long EstimatedEvents(RunParameters p) =>
        p.ReportsSteps ? 3L * p.Processes * p.Iterations * Math.Max(1, p.Rounds) : 0;

    /// <summary>Whether a run of these parameters is big: pages show its latest lines only.</summary>
    public static bool IsBig(RunParameters p) => EstimatedEvents(p) > KeepAllUpTo;
}
