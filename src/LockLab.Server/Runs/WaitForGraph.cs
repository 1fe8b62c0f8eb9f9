using System.Diagnostics;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.SharedMemory;

namespace LockLab.Server.Runs;

/// <summary>
/// One reading of a run's wait-for graph, as its processes keep it in the shared segment: what each process waits for
/// (and since when), how many of each lock or semaphore each one holds, and each semaphore's free permits. Reading it
/// takes a few hundred plain loads of the mapped page; the workers are never stopped for it.
/// </summary>
/// <param name="Waiting">Per process: the lock or semaphore (its place among them) it waits for and since when (a
/// <see cref="Stopwatch"/> timestamp), or null.</param>
/// <param name="Holds">Per lock or semaphore, per process: how many it holds.</param>
/// <param name="Free">Per lock or semaphore: a semaphore's free permits; null for a lock.</param>
public sealed record WaitForGraph(IReadOnlyList<(int Resource, long Since)?> Waiting, int[][] Holds, int?[] Free)
{
    public static WaitForGraph Read(SharedSegment segment, int processes, int locks, int semaphores)
    {
        var resources = locks + semaphores;
        var waiting = Enumerable.Range(0, processes).Select(segment.WaitingFor).ToArray();
        var holds = Enumerable.Range(0, resources).Select(r => Enumerable.Range(0, processes).Select(p => segment.Holds(r, p)).ToArray()).ToArray();
        var free = Enumerable.Range(0, resources).Select(r => r >= locks ? segment.SemaphoreAt(r).Free : (int?)null).ToArray();
        return new WaitForGraph(waiting, holds, free);
    }

    /// <summary>
    /// The processes that can never move again, in a cycle: each waits for a lock or semaphore that only other such
    /// processes hold (a lock held by one of them; a semaphore with no permit free, all its holders among them). Worked
    /// out the other way round: a process may still move if it waits for nothing (it runs, sleeps, waits for the
    /// presenter's step or has finished), or for something free or held by a process that may move; whoever is left
    /// waits forever. Returns the cycle through the first of those processes, in wait order (each waits for what the
    /// next holds), or null when every process may still move.
    /// </summary>
    public IReadOnlyList<int>? Cycle()
    {
        var processes = Waiting.Count;
        var mayMove = Waiting.Select(w => w is null).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var p = 0; p < processes; p++)
            {
                if (mayMove[p]) continue;
                var r = Waiting[p]!.Value.Resource;
                var holders = HoldersOf(r, except: p).ToList();
                // No other holder marked: free, or a holder between taking it and marking it (it is running), or the waiter
                // itself, seen holding what it has just got in a reading taken over a few microseconds (a process cannot
                // wait for itself: a program that would is refused). Each may move on.
                if (holders.Count == 0 || Free[r] > 0 || holders.Any(q => mayMove[q]))
                {
                    mayMove[p] = true;
                    changed = true;
                }
            }
        }
        var start = Array.IndexOf(mayMove, false);
        if (start < 0) return null;
        // Follow "waits for what that one holds" among the stuck: every stuck process has a stuck holder, so this loops.
        var path = new List<int>();
        var p2 = start;
        while (!path.Contains(p2))
        {
            path.Add(p2);
            var r = Waiting[p2]!.Value.Resource;
            p2 = HoldersOf(r, except: p2).First(q => !mayMove[q]);
        }
        return path[path.IndexOf(p2)..];
    }

    private IEnumerable<int> HoldersOf(int resource, int except)
    {
        var holds = Holds[resource];
        for (var q = 0; q < holds.Length; q++) if (q != except && holds[q] > 0) yield return q;
    }

    /// <summary>A cycle the same as another reading's: the same processes waiting for the same things since the same instants.</summary>
    public string Signature(IReadOnlyList<int> cycle) =>
        string.Join(";", cycle.Select(p => $"{p}:{Waiting[p]!.Value.Resource}@{Waiting[p]!.Value.Since}"));

    /// <summary>The cycle as the run's summary names it, with the instant it closed (the last of its processes began to wait).</summary>
    public DeadlockReport Report(IReadOnlyList<int> cycle, IReadOnlyList<string> resourceNames, long runStart, long detectedAt)
    {
        var links = cycle.Select(p => new DeadlockLink(RunParameters.ProcessName(p),
            [.. Enumerable.Range(0, Holds.Length).Where(r => Holds[r][p] > 0).Select(r => resourceNames[r])],
            resourceNames[Waiting[p]!.Value.Resource])).ToArray();
        var formed = cycle.Max(p => Waiting[p]!.Value.Since);
        return new DeadlockReport(links, Milliseconds(formed - runStart), Milliseconds(detectedAt - runStart));
    }

    private static double Milliseconds(long ticks) => Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);

    /// <summary>A program's locks and semaphores by their place in the segment: locks first, then semaphores.</summary>
    public static IReadOnlyList<string> ResourceNames(ExperimentProgram program) =>
        [.. program.Locks, .. program.Semaphores.Select(s => s.Name)];
}
