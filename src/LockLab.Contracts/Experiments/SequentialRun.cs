namespace LockLab.Contracts.Experiments;

/// <summary>
/// A program run without any concurrency: each process alone, to its end, one after the other in start order. No
/// update is lost and nobody waits, so this is what the program means when nothing races: the lesson's known results
/// (with a lock held around the loop, p1 then p2 prints 1 2 3 4 5 8 11 14 17 20) and the reference for a worker's
/// events (each step reports what <see cref="ProgramTotals.EventsOf"/> counts, in this order). Pure: no clock, no
/// sleep, no shared memory.
/// </summary>
public static class SequentialRun
{
    /// <summary>Runs a valid program (<see cref="ProgramValidator"/>): its events are as many as its limits allow.</summary>
    /// <exception cref="ArgumentException">The program names an integer, lock or semaphore it does not declare.</exception>
    public static SequentialOutcome Of(ExperimentProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var values = program.Shared.ToDictionary(s => s.Name, s => (long)s.Initial, StringComparer.Ordinal);
        var locks = new HashSet<string>(program.Locks.Concat(program.Semaphores.Select(s => s.Name)), StringComparer.Ordinal);
        var events = new List<ProgramEvent>();
        // The lock's events carry a value as the scenarios' do (the counter at that moment): with several integers, the
        // first one declared.
        var first = program.Shared.Count > 0 ? program.Shared[0].Name : null;
        long Headline() => first is null ? 0 : values[first];

        foreach (var process in program.Processes)
        {
            var lastRead = new Dictionary<string, long>(StringComparer.Ordinal);
            Run(process.Steps);
            events.Add(new ProgramEvent(process.Name, EventKind.Exit, null, Headline()));

            void Run(IReadOnlyList<ProgramStep> steps)
            {
                foreach (var step in steps)
                {
                    switch (step)
                    {
                        case SleepStep:
                            break;
                        case AcquireStep a:
                            Lock(a.Lock);
                            events.Add(new(process.Name, EventKind.LockWait, a.Lock, Headline()));
                            events.Add(new(process.Name, EventKind.LockAcquired, a.Lock, Headline()));
                            break;
                        case ReleaseStep r:
                            Lock(r.Lock);
                            events.Add(new(process.Name, EventKind.LockReleased, r.Lock, Headline()));
                            break;
                        case ReadStep r:
                            Read(r.Shared);
                            break;
                        case WriteStep w:
                            Write(w.Shared, w.Amount);
                            break;
                        case AddStep a:
                            Read(a.Shared);
                            Write(a.Shared, a.Amount);
                            break;
                        case PrintStep p:
                            events.Add(new(process.Name, EventKind.Print, p.Shared, Value(p.Shared)));
                            break;
                        case RepeatStep r:
                            for (var i = 0; i < r.Count; i++) Run(r.Steps);
                            break;
                    }
                }
            }

            void Read(string shared)
            {
                lastRead[shared] = Value(shared);
                events.Add(new(process.Name, EventKind.Read, shared, lastRead[shared]));
            }

            void Write(string shared, int amount)
            {
                if (!lastRead.TryGetValue(shared, out var read))
                    throw new ArgumentException($"{process.Name} writes '{shared}' before reading it: check the program first.", nameof(program));
                values[shared] = read + amount;
                events.Add(new(process.Name, EventKind.Write, shared, values[shared]));
            }
        }
        return new SequentialOutcome(events, values);

        long Value(string shared) => values.TryGetValue(shared, out var v) ? v
            : throw new ArgumentException($"'{shared}' is not a declared shared integer: check the program first.", nameof(program));

        void Lock(string name)
        {
            if (!locks.Contains(name))
                throw new ArgumentException($"'{name}' is not a declared lock or semaphore: check the program first.", nameof(program));
        }
    }
}

/// <summary>One event of a <see cref="SequentialRun"/>: who, what, on which integer or lock, and the value it shows.</summary>
/// <param name="Name">The shared integer (read, write, print) or the lock or semaphore (its events); null for the exit.</param>
/// <param name="Value">As a <see cref="RunEvent"/>'s: for a print, what was printed; for a lock's events and the exit,
/// the first shared integer's value.</param>
public sealed record ProgramEvent(string Process, EventKind Kind, string? Name, long Value);

/// <summary>What a <see cref="SequentialRun"/> reported, and what the shared integers ended at.</summary>
public sealed record SequentialOutcome(IReadOnlyList<ProgramEvent> Events, IReadOnlyDictionary<string, long> FinalValues)
{
    /// <summary>Everything printed, in order.</summary>
    public IReadOnlyList<long> Prints => [.. Events.Where(e => e.Kind == EventKind.Print).Select(e => e.Value)];
}
