using LockLab.Contracts;

namespace LockLab.Tests.Components;

/// <summary>Hand-made runs whose events say exactly what the pictures must show.</summary>
public static class RunFixtures
{
    private static RunEvent E(
        long seq, string p, EventKind kind, long value, double at, int? id = null, int? from = null, int? replaced = null) =>
        new(seq, p, p == "p1" ? 101 : 202, kind, value, at, id, from, replaced);

    private const int P1First = 0x01000001, P2First = 0x02000001;

    public static RunParameters NoLockGap { get; } = new(2, 1, [1, 3], DelayMs: 100, GapMs: 50, LockScope.None, StartMode.Lesson);

    /// <summary>Both read 0; p1 writes 1; p2 writes 3 over it: p1's write (seq 3) is lost.</summary>
    public static RunEvent[] LostUpdateEvents { get; } =
    [
        E(1, "p1", EventKind.Read, 0, 100, from: 0), E(2, "p2", EventKind.Read, 0, 110, from: 0),
        E(3, "p1", EventKind.Write, 1, 150, P1First, 0, 0), E(4, "p1", EventKind.Print, 1, 150.5),
        E(5, "p2", EventKind.Write, 3, 160, P2First, 0, P1First), E(6, "p2", EventKind.Print, 3, 160.5),
        E(7, "p1", EventKind.Exit, 3, 151), E(8, "p2", EventKind.Exit, 3, 161),
    ];

    public static RunParameters WholeLoopLock { get; } = new(2, 1, [1, 3], DelayMs: 100, GapMs: 0, LockScope.WholeLoop, StartMode.Lesson);

    public static RunEvent[] LockEvents { get; } =
    [
        E(1, "p1", EventKind.LockWait, 0, 0.2), E(2, "p1", EventKind.LockAcquired, 0, 0.3),
        E(3, "p2", EventKind.LockWait, 0, 10),
        E(4, "p1", EventKind.Read, 0, 100, from: 0), E(5, "p1", EventKind.Write, 1, 100, P1First, 0, 0),
        E(6, "p1", EventKind.Print, 1, 100.1),
        E(7, "p1", EventKind.LockReleased, 1, 100.2), E(8, "p2", EventKind.LockAcquired, 1, 100.3), E(9, "p1", EventKind.Exit, 1, 100.4),
    ];

    public static RunInfo Info(RunParameters parameters, RunStatus status = RunStatus.Running, RunSummary? summary = null) =>
        new("run1", Scenarios.NoLock, "main", status, parameters, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            null, 0, summary, null, new RunLinks("/api/runs/run1", "/api/runs/run1/events?after=0"));
}
