using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.Tests.Contracts;

/// <summary>
/// The ledger's lost writes and their erasers against the definition itself, worked out the slow way: a write is lost
/// when it is not on the chain of reads that leads to the final value, and its eraser is the first write after it in
/// memory order whose chain of reads does not pass through it.
/// </summary>
public class WriteLedgerTests
{
    /// <summary>A race as the workers report it: each step of a process is a read, then a write of what it read plus
    /// its amount; the scheduler picks who moves next, and now and then leaves a process holding a stale read for a
    /// long stretch (the preemption that makes a late write erase a long chain).</summary>
    private static List<RunEvent> Race(int seed, int processes, int iterations)
    {
        var random = new Random(seed);
        var events = new List<RunEvent>();
        var (value, lastWrite, seq) = (0L, 0, 0L);
        var done = new int[processes];
        var held = new (long Value, int From)?[processes];
        var sleepUntil = new int[processes];
        for (var tick = 0; done.Any(d => d < iterations); tick++)
        {
            var p = random.Next(processes);
            if (done[p] == iterations || sleepUntil[p] > tick) continue;
            var name = RunParameters.ProcessName(p);
            if (held[p] is not { } read)
            {
                events.Add(new RunEvent(++seq, name, 100 + p, EventKind.Read, value, 0, ReadFrom: lastWrite));
                held[p] = (value, lastWrite);
                if (random.Next(20) == 0) sleepUntil[p] = tick + random.Next(50, 2000);
                continue;
            }
            var id = ((p + 1) << 24) | ++done[p];
            var written = read.Value + p + 1;
            events.Add(new RunEvent(++seq, name, 100 + p, EventKind.Write, written, 0, WriteId: id, ReadFrom: read.From,
                Replaced: lastWrite));
            (value, lastWrite, held[p]) = (written, id, null);
        }
        return events;
    }

    /// <summary>The definition, walked write by write.</summary>
    private static List<(long Seq, long ErasedBySeq)> LostTheSlowWay(List<RunEvent> events)
    {
        var writes = events.Where(e => e.Kind == EventKind.Write).ToList(); // the race above reports them in memory order
        var byId = writes.ToDictionary(w => w.WriteId!.Value);
        bool BuildsOn(RunEvent later, int id)
        {
            for (var at = later.ReadFrom!.Value; at != 0; at = byId[at].ReadFrom!.Value)
                if (at == id) return true;
            return false;
        }
        var onChain = new HashSet<int>();
        for (var id = writes[^1].WriteId!.Value; id != 0; id = byId[id].ReadFrom!.Value) onChain.Add(id);
        return writes.Select((w, i) => (w, i))
            .Where(x => !onChain.Contains(x.w.WriteId!.Value))
            .Select(x => (x.w.Seq, writes.Skip(x.i + 1).FirstOrDefault(later => !BuildsOn(later, x.w.WriteId!.Value))?.Seq ?? 0))
            .ToList();
    }

    [Theory]
    [InlineData(1, 2, 200)]
    [InlineData(2, 3, 300)]
    [InlineData(3, 5, 200)]
    [InlineData(4, 8, 250)]
    [InlineData(5, 8, 250)]
    public void Lost_writes_and_their_erasers_are_those_of_the_definition(int seed, int processes, int iterations)
    {
        var events = Race(seed, processes, iterations);
        var expected = LostTheSlowWay(events);
        // The race must lose writes to erasers further on than the next write (chains, branches), or it tests little.
        var writes = events.Where(e => e.Kind == EventKind.Write).Select(e => e.Seq).ToList();
        Assert.Contains(expected, l => writes.IndexOf(l.ErasedBySeq) > writes.IndexOf(l.Seq) + 1);

        var ledger = WriteLedger.From(events);
        var (listed, count, amount) = ledger.Lost(int.MaxValue);

        Assert.Equal(expected, listed.Select(l => (l.Seq, l.OverwrittenBySeq)));
        var bySeq = events.Where(e => e.Kind == EventKind.Write).ToDictionary(e => e.Seq);
        Assert.All(listed, l => Assert.Equal((bySeq[l.OverwrittenBySeq].Process, bySeq[l.OverwrittenBySeq].Value),
            (l.OverwrittenBy, l.OverwrittenWith)));
        // What the lost writes had added is exactly what the final value misses.
        var expectedFinal = Enumerable.Range(0, processes).Sum(p => (long)iterations * (p + 1));
        Assert.Equal((expected.Count, expectedFinal - bySeq[writes[^1]].Value), (count, amount));
        // A shorter list: the first ones, counted and added up in full all the same.
        var (first, countedAll, addedAll) = ledger.Lost(3);
        Assert.Equal(expected.Take(3), first.Select(l => (l.Seq, l.OverwrittenBySeq)));
        Assert.Equal((count, amount), (countedAll, addedAll));
    }

    [Fact]
    public void Writes_that_cannot_be_traced_are_reported_not_followed()
    {
        // A write that read a write nobody reported, one that read a write landing after it, and one that says it is the
        // initial value: a corrupt run. The ledger says so, and still names erasers where it can.
        const int a = 0x01000001, b = 0x02000001, c = 0x03000001;
        RunEvent[] events =
        [
            Races.Write(1, "p1", 1, a, 0x05000001, 0),
            Races.Write(2, "p2", 4, b, c, a),
            Races.Write(3, "p3", 5, c, a, b),
            Races.Write(4, "p4", 9, 0, c, c),
        ];
        var ledger = WriteLedger.From(events);

        var lost = ledger.LostWrites();
        var problems = ledger.Check(expectedWrites: 4, expectedFinalValue: 9, actualFinalValue: 5, lostAmount: 0);

        // c read a, so a is on the chain to the last write (c); b is lost, erased by c (c does not build on b: b "read" c).
        Assert.Equal([(2L, 3L)], lost.Select(l => (l.Seq, l.OverwrittenBySeq)));
        Assert.Contains(problems, p => p.Contains("id 0"));
        Assert.Contains(problems, p => p.Contains("names a value no write produced"));
    }

    [Fact]
    public void One_stale_write_is_the_eraser_of_every_write_in_the_long_chain_it_replaces()
    {
        // p2 reads 0 and is preempted; p1 counts to 20,000, each write on the one before; then p2 writes 3. Every one of
        // p1's writes is lost, and p2's is the first write after each that does not build on it.
        const int chain = 20_000;
        var events = Races.StaleWriteAfterChain(chain);

        var (listed, count, amount) = WriteLedger.From(events).Lost(int.MaxValue);

        Assert.Equal((chain, (long)chain, chain), (count, amount, listed.Count));
        Assert.All(listed, l => Assert.Equal(chain + 2, l.OverwrittenBySeq));
    }

    [Fact]
    public void The_eraser_is_the_first_later_write_that_does_not_build_on_the_lost_one()
    {
        // p1 writes 1 (A); p2 reads it and writes 4 (B); p1's second write built on A, not B, lands last: B is lost, and A
        // is on the chain to the final value. B's eraser is p1's second write.
        const int a = 0x01000001, a2 = 0x01000002, b = 0x02000001;
        RunEvent[] events =
        [
            Races.Write(1, "p1", 1, a, 0, 0),
            Races.Write(2, "p2", 4, b, a, a),
            Races.Write(3, "p1", 2, a2, a, b),
        ];

        var lost = Assert.Single(WriteLedger.From(events).LostWrites());

        Assert.Equal((2L, 3L), (lost.Seq, lost.OverwrittenBySeq));
    }
}
