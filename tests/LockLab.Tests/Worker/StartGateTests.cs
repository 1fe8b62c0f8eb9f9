using System.Diagnostics;
using LockLab.SharedMemory;
using LockLab.Tests.Support;

namespace LockLab.Tests.Worker;

/// <summary>The start gate the server arms and the last worker to be ready opens, on a real shared segment.</summary>
public class StartGateTests
{
    [Fact]
    public void An_armed_gate_stays_closed_until_the_last_worker_is_ready_which_opens_it()
    {
        using var t = new TestSegment();
        t.Segment.ArmGate(simultaneous: false, processes: 2);
        using var p1 = SharedSegment.Open(t.Path);
        using var p2 = SharedSegment.Open(t.Path);

        p2.SignalReady();
        Assert.Equal(0, t.Segment.RunStartTimestamp);
        Assert.False(t.Segment.WaitUntilGateOpened(TimeSpan.Zero));

        var before = Stopwatch.GetTimestamp();
        p1.SignalReady();
        var after = Stopwatch.GetTimestamp();

        Assert.True(t.Segment.WaitUntilGateOpened(TimeSpan.Zero));
        Assert.InRange(t.Segment.RunStartTimestamp, before, after);
        Assert.Equal(t.Segment.RunStartTimestamp, p2.RunStartTimestamp);
        p1.WaitForTurn(0); // in turn: p1 may start now (it would block if the gate were closed)
    }

    [Fact]
    public void A_simultaneous_gate_lets_every_process_start_at_once()
    {
        using var t = new TestSegment();
        t.Segment.ArmGate(simultaneous: true, processes: 2);
        using var worker = SharedSegment.Open(t.Path);

        worker.SignalReady();
        worker.SignalReady();

        Assert.True(t.Segment.WaitUntilGateOpened(TimeSpan.Zero));
        worker.WaitForTurn(1); // p2 need not wait for p1
    }

    [Fact]
    public void A_gate_nobody_armed_stays_closed_however_many_are_ready()
    {
        using var t = new TestSegment();
        using var worker = SharedSegment.Open(t.Path);

        worker.SignalReady();
        worker.SignalReady();

        Assert.False(t.Segment.WaitUntilGateOpened(TimeSpan.Zero));
        Assert.Equal(0, t.Segment.RunStartTimestamp);
    }

    [Fact]
    public void Passing_the_turn_notes_when_so_that_the_next_process_keeps_its_spacing_from_then()
    {
        using var t = new TestSegment();
        t.OpenGate(simultaneous: false, processes: 2);

        var before = Stopwatch.GetTimestamp();
        t.Segment.PassTurn();
        var after = Stopwatch.GetTimestamp();

        Assert.InRange(t.Segment.TurnPassedAt, before, after);
        t.Segment.WaitForTurn(1);
    }
}
