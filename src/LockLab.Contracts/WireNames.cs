namespace LockLab.Contracts;

/// <summary>
/// The names run statuses and event kinds go by outside .NET: in JSON (the converters on the enums use the same), in the
/// history's columns, in query strings, in page attributes and in messages. One place, so that a page, the database and a
/// log line never spell one differently.
/// </summary>
public static class WireNames
{
    public static string Name(RunStatus status) => status switch
    {
        RunStatus.Queued => "queued",
        RunStatus.Running => "running",
        RunStatus.Completed => "completed",
        RunStatus.Failed => "failed",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Interrupted => "interrupted",
        RunStatus.Deadlocked => "deadlocked",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string Name(EventKind kind) => kind switch
    {
        EventKind.LockWait => "lock-wait",
        EventKind.LockAcquired => "lock-acquired",
        EventKind.Read => "read",
        EventKind.Write => "write",
        EventKind.Print => "print",
        EventKind.LockReleased => "lock-released",
        EventKind.Exit => "exit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A status by its name (case and surrounding spaces ignored), or null.</summary>
    public static RunStatus? ParseStatus(string? name) =>
        Enum.GetValues<RunStatus>().Select(s => (RunStatus?)s)
            .FirstOrDefault(s => string.Equals(Name(s!.Value), name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>An event kind by its name, or null.</summary>
    public static EventKind? ParseKind(string? name) =>
        Enum.GetValues<EventKind>().Select(k => (EventKind?)k)
            .FirstOrDefault(k => string.Equals(Name(k!.Value), name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
