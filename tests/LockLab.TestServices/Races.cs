using LockLab.Contracts;

namespace LockLab.TestServices;

/// <summary>Races written out event by event, in the shapes that are hard to get from real processes on demand.</summary>
public static class Races
{
    /// <summary>A write as a worker reports it: its id, the write whose value it read, the write its store replaced.</summary>
    public static RunEvent Write(long seq, string process, long value, int id, int readFrom, int replaced) =>
        new(seq, process, 100 + int.Parse(process.AsSpan(1)), EventKind.Write, value, 0, WriteId: id, ReadFrom: readFrom,
            Replaced: replaced);

    /// <summary>The worst shape for the summary: p2 reads 0 and is preempted; p1 writes 1…<paramref name="chain"/>,
    /// each on the one before; p2 then writes 3 over the lot, so every write of p1 is lost and p2's erased each one.
    /// Seqs follow memory order: p2's read is 1, p1's writes 2…chain + 1, p2's write chain + 2.</summary>
    public static List<RunEvent> StaleWriteAfterChain(int chain)
    {
        var events = new List<RunEvent>(chain + 2) { new(1, "p2", 102, EventKind.Read, 0, 0, ReadFrom: 0) };
        var previous = 0;
        for (var n = 1; n <= chain; n++)
        {
            var id = (1 << 24) | n;
            events.Add(Write(n + 1, "p1", n, id, previous, previous));
            previous = id;
        }
        events.Add(Write(chain + 2, "p2", 3, (2 << 24) | 1, 0, previous));
        return events;
    }
}
