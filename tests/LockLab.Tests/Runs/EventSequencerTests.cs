using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Tests.Runs;

public class EventSequencerTests
{
    private static RunEvent E(long seq, string p = "p1") => new(seq, p, 1, EventKind.Print, seq, seq);

    /// <summary>What one call released, in order.</summary>
    private static List<RunEvent> Add(EventSequencer sequencer, params RunEvent[] events)
    {
        var released = new List<RunEvent>();
        sequencer.Add(events, released.AddRange);
        return released;
    }

    [Fact]
    public void Events_are_released_in_ticket_order_whichever_pipe_was_read_first()
    {
        var sequencer = new EventSequencer();

        Assert.Empty(Add(sequencer, E(2, "p2"), E(4, "p2"))); // p2's pipe was read first: held back
        Assert.Equal([1L, 2], Add(sequencer, E(1), E(5)).Select(e => e.Seq));
        Assert.Equal([3L, 4, 5], Add(sequencer, E(3)).Select(e => e.Seq));
        var heldBack = new List<RunEvent>();
        sequencer.Drain(heldBack.AddRange);
        Assert.Empty(heldBack); // nothing was left waiting for an earlier ticket
    }

    [Fact]
    public void A_ticket_reported_twice_is_rejected()
    {
        var sequencer = new EventSequencer();
        Add(sequencer, E(1));
        Assert.Throws<InvalidDataException>(() => Add(sequencer, E(1)));
    }

    [Fact]
    public void Drain_releases_what_a_crashed_worker_left_behind_in_order()
    {
        var sequencer = new EventSequencer();
        Add(sequencer, E(3), E(5));
        var drained = new List<RunEvent>();
        sequencer.Drain(drained.AddRange);
        Assert.Equal([3L, 5], drained.Select(e => e.Seq));
    }

    [Fact]
    public async Task Two_readers_releasing_at_once_keep_the_log_in_ticket_order()
    {
        // Worker p1 holds the odd tickets, p2 the even ones; each reader hands its batches in as the pipes deliver.
        const int count = 20_000;
        var sequencer = new EventSequencer();
        var log = new List<RunEvent>();
        var readers = new[] { 1, 2 }.Select(first => Task.Run(() =>
        {
            for (long seq = first; seq <= count; seq += 2)
            {
                sequencer.Add([E(seq, first == 1 ? "p1" : "p2")], released => log.AddRange(released));
            }
        }));
        await Task.WhenAll(readers);

        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), log.Select(e => e.Seq));
    }
}
