using LockLab.Contracts;
using LockLab.Server.Runs;

namespace LockLab.Tests.Runs;

public class EventSequencerTests
{
    private static RunEvent E(long seq, string p = "p1") => new(seq, p, 1, EventKind.Print, seq, seq);

    [Fact]
    public void Events_are_released_in_ticket_order_whichever_pipe_was_read_first()
    {
        var sequencer = new EventSequencer();

        Assert.Empty(sequencer.Add([E(2, "p2"), E(4, "p2")])); // p2's pipe was read first: held back
        Assert.Equal([1L, 2], sequencer.Add([E(1), E(5)]).Select(e => e.Seq));
        Assert.Equal([3L, 4, 5], sequencer.Add([E(3)]).Select(e => e.Seq));
        Assert.Equal(0, sequencer.Held);
    }

    [Fact]
    public void A_ticket_reported_twice_is_rejected()
    {
        var sequencer = new EventSequencer();
        sequencer.Add([E(1)]);
        Assert.Throws<InvalidDataException>(() => sequencer.Add([E(1)]));
    }

    [Fact]
    public void Drain_releases_what_a_crashed_worker_left_behind_in_order()
    {
        var sequencer = new EventSequencer();
        sequencer.Add([E(3), E(5)]);
        Assert.Equal([3L, 5], sequencer.Drain().Select(e => e.Seq));
    }
}
