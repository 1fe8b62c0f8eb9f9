using LockLab.Contracts;

namespace LockLab.Server.Runs;

/// <summary>
/// One step of following a run: the events after the previous update (in <c>seq</c> order, at most a batch), or, when
/// none are new, the run's state. <see cref="IsFinal"/> marks the last update: the run has ended and every event it
/// reported came before it.
/// </summary>
public readonly record struct RunUpdate(RunEvent[] Events, RunStatus Status, bool GateOpened, bool IsFinal);

/// <summary>How a reader paces <see cref="RunUpdates.FollowAsync"/> (the broadcaster batches for large rooms).</summary>
public interface IRunUpdatePacing
{
    /// <summary>How long to let new events gather before they are read into one update (zero: read at once).</summary>
    TimeSpan BeforeBatch();

    /// <summary>With nothing new, how long to wait for news before yielding the state anyway (null: until news).</summary>
    TimeSpan? IdleWake();
}

public static class RunUpdates
{
    /// <summary>
    /// A run's updates from its acceptance to its end: the one loop that the tasks following a run (the broadcaster and
    /// the recorder) read it by. A batch whenever events are new; otherwise the state whenever it changed; the final
    /// state last. The reader sets the pace: news that arrives while it handles an update comes in the next one.
    /// No events are handed out before the start gate has opened (their <c>atMs</c> count from it), unless the run
    /// ended without opening it.
    /// </summary>
    public static async IAsyncEnumerable<RunUpdate> FollowAsync(this Run run, int maxBatch, IRunUpdatePacing? pacing = null)
    {
        long after = 0;
        (RunStatus, bool)? lastState = null;
        while (true)
        {
            var changed = run.Changed; // take the signal before reading, so no append slips between
            // Read the state before the events: the executor appends a run's last events before it finishes the run,
            // so a run seen finished here has nothing left that the read below could miss.
            var status = run.Status;
            var gateOpened = run.GateOpened;
            var finished = status is not (RunStatus.Queued or RunStatus.Running);
            if (gateOpened || finished)
            {
                if (!finished && run.EventCount > after && pacing?.BeforeBatch() is { } gather && gather > TimeSpan.Zero)
                {
                    await Task.Delay(gather);
                }
                var batch = run.EventsAfter(after, maxBatch);
                if (batch.Length > 0)
                {
                    after = batch[^1].Seq;
                    yield return new RunUpdate(batch, status, gateOpened, IsFinal: false);
                    continue;
                }
                if (finished)
                {
                    yield return new RunUpdate([], status, gateOpened, IsFinal: true);
                    yield break;
                }
            }
            if (lastState != (status, gateOpened))
            {
                lastState = (status, gateOpened);
                yield return new RunUpdate([], status, gateOpened, IsFinal: false);
                continue;
            }
            if (pacing?.IdleWake() is { } wake)
            {
                if (await Task.WhenAny(changed, Task.Delay(wake > TimeSpan.Zero ? wake : TimeSpan.Zero)) != changed)
                    yield return new RunUpdate([], status, gateOpened, IsFinal: false);
            }
            else
            {
                await changed;
            }
        }
    }
}
