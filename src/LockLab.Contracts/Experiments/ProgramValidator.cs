using System.Globalization;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// Checks a program against <see cref="ProgramLimits"/> and against what its processes could do to themselves. Every
/// error names its process and step (<see cref="ProgramError"/>). What it refuses:
/// <list type="bullet">
/// <item>The program: no process or more than <see cref="ProgramLimits.MaxProcesses"/>; a null in a list; too many
/// shared integers or locks and semaphores; a name that is not a name (<see cref="ProgramNames"/>), a name declared
/// twice, two processes of one name; an initial value or a semaphore's permits out of range.</item>
/// <item>A process: no steps, or more than <see cref="ProgramLimits.MaxStepsPerProcess"/>; an empty (null) step; a
/// sleep, an amount or a repeat count out of range; repeats nested deeper than <see cref="ProgramLimits.MaxRepeatDepth"/>;
/// an empty repeat.</item>
/// <item>Names: acquiring or releasing what is not a declared lock or semaphore; reading, writing, adding to or printing
/// what is not a declared shared integer.</item>
/// <item>What a process would do to itself, checked in program order: acquiring a lock it already holds (or a
/// semaphore of which it holds every permit), which would wait for itself forever; releasing what it does not hold;
/// writing an integer before it has read it (a write stores the value it last read); ending while it holds a lock.
/// A repeat's steps must release what they acquire (each round ends holding what it started with), so that checking
/// one round checks them all. Deadlocks between processes are not refused: they are an experiment (the worker sees
/// them in its wait-for graph).</item>
/// <item>What the program adds up to, once all else is right (<see cref="ProgramTotals"/>): more than
/// <see cref="ProgramLimits.MaxEvents"/> events, more than <see cref="ProgramLimits.MaxTotalSleepMs"/> of sleep, or a
/// shared integer that could leave 32 bits.</item>
/// </list>
/// The checks stop descending at the limits, so a hostile program costs no more to refuse than a valid one to accept.
/// </summary>
public static class ProgramValidator
{
    public static IReadOnlyList<ProgramError> Validate(ExperimentProgram program, ProgramLimits limits)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(limits);
        var check = new Check(limits);
        check.Program(program);
        return check.Errors;
    }

    private enum Kind { Shared, Lock, Semaphore }

    private sealed class Check(ProgramLimits limits)
    {
        private readonly List<ProgramError> _errors = [];
        private readonly Dictionary<string, (Kind Kind, int Permits)> _declared = new(StringComparer.Ordinal);

        public IReadOnlyList<ProgramError> Errors
        {
            get
            {
                if (_errors.Count <= limits.MaxErrors) return _errors;
                return [.. _errors.Take(limits.MaxErrors), new(TextTemplates.Fill(ProgramMessages.TooManyErrors, limits.MaxErrors))];
            }
        }

        public void Program(ExperimentProgram program)
        {
            Declarations(program);
            if (program.Processes.Count == 0) Error(ProgramMessages.NoProcess);
            else if (program.Processes.Count > limits.MaxProcesses)
            {
                Error(TextTemplates.Fill(ProgramMessages.TooManyProcesses, program.Processes.Count, limits.MaxProcesses));
                return;
            }
            for (var i = 0; i < program.Processes.Count; i++)
            {
                if (program.Processes[i] is not { } process)
                {
                    Error(TextTemplates.Fill(ProgramMessages.EmptyEntry, "processes"));
                    continue;
                }
                var place = new ProgramPlace(ProgramPlace.ProcessPart, i);
                if (!ProgramNames.IsValid(process.Name, limits.MaxNameLength))
                    Error(TextTemplates.Fill(ProgramMessages.NotAName, ProgramText.Shown(process.Name), limits.MaxNameLength), place, process.Name);
                // Each event, lane and step button names its process p1, p2, …: a program naming its own would be shown
                // under other names than it wrote.
                else if (process.Name != RunParameters.ProcessName(i))
                    Error(TextTemplates.Fill(ProgramMessages.ProcessNameOutOfOrder, i + 1, process.Name, RunParameters.ProcessName(i)),
                        place, process.Name);
                new ProcessCheck(this, process, i).Run();
            }
            if (_errors.Count == 0) Totals(program);
        }

        private void Declarations(ExperimentProgram program)
        {
            if (program.Shared.Count > limits.MaxSharedIntegers)
            {
                Error(TextTemplates.Fill(ProgramMessages.TooManyShared, program.Shared.Count, limits.MaxSharedIntegers));
                DeclareQuietly(program.Shared.Select(s => s?.Name), Kind.Shared);
            }
            else
            {
                for (var i = 0; i < program.Shared.Count; i++)
                {
                    var place = new ProgramPlace(ProgramPlace.SharedPart, i);
                    if (program.Shared[i] is not { } shared)
                    {
                        Error(TextTemplates.Fill(ProgramMessages.EmptyEntry, "shared"), place);
                        continue;
                    }
                    Declare(shared.Name, Kind.Shared, 0, place);
                    if (Math.Abs((long)shared.Initial) > limits.MaxInitialValue)
                    {
                        Error(TextTemplates.Fill(ProgramMessages.InitialValueOutOfRange, ProgramText.Shown(shared.Name), shared.Initial,
                            -limits.MaxInitialValue, limits.MaxInitialValue), place);
                    }
                }
            }

            var lockCount = program.Locks.Count + program.Semaphores.Count;
            if (lockCount > limits.MaxLocks)
            {
                Error(TextTemplates.Fill(ProgramMessages.TooManyLocks, lockCount, limits.MaxLocks));
                DeclareQuietly(program.Locks, Kind.Lock);
                DeclareQuietly(program.Semaphores.Select(s => s?.Name), Kind.Semaphore);
                return;
            }
            for (var i = 0; i < program.Locks.Count; i++)
                Declare(program.Locks[i], Kind.Lock, 1, new ProgramPlace(ProgramPlace.LockPart, i));
            for (var i = 0; i < program.Semaphores.Count; i++)
            {
                var place = new ProgramPlace(ProgramPlace.SemaphorePart, i);
                if (program.Semaphores[i] is not { } semaphore)
                {
                    Error(TextTemplates.Fill(ProgramMessages.EmptyEntry, "semaphores"), place);
                    continue;
                }
                // Declared within range even when its permits are not, so that its steps are not refused for that too.
                Declare(semaphore.Name, Kind.Semaphore, Math.Clamp(semaphore.Permits, 1, Math.Max(limits.MaxPermits, 1)), place);
                if (semaphore.Permits < 1 || semaphore.Permits > limits.MaxPermits)
                {
                    Error(TextTemplates.Fill(ProgramMessages.PermitsOutOfRange, ProgramText.Shown(semaphore.Name), semaphore.Permits,
                        limits.MaxPermits), place);
                }
            }
        }

        private void Declare(string? name, Kind kind, int permits, ProgramPlace place)
        {
            if (!ProgramNames.IsValid(name, limits.MaxNameLength))
                Error(TextTemplates.Fill(ProgramMessages.NotAName, ProgramText.Shown(name), limits.MaxNameLength), place);
            else if (!_declared.TryAdd(name!, (kind, permits)))
                Error(TextTemplates.Fill(ProgramMessages.NameTakenTwice, name), place);
        }

        /// <summary>The names of declarations refused for their number: the steps that use them are still checked, and
        /// are not told the names are unknown.</summary>
        private void DeclareQuietly(IEnumerable<string?> names, Kind kind)
        {
            foreach (var name in names)
            {
                if (ProgramNames.IsValid(name, limits.MaxNameLength)) _declared.TryAdd(name!, (kind, kind == Kind.Semaphore ? int.MaxValue : 1));
            }
        }

        /// <summary>Events, sleeps and values: computed on a program whose every count is within its limits.</summary>
        private void Totals(ExperimentProgram program)
        {
            var events = ProgramTotals.Events(program);
            if (events > limits.MaxEvents) Error(TextTemplates.Fill(ProgramMessages.TooManyEvents, events, limits.MaxEvents));
            var sleep = ProgramTotals.SleepMs(program);
            if (sleep > limits.MaxTotalSleepMs) Error(TextTemplates.Fill(ProgramMessages.TooMuchSleep, sleep, limits.MaxTotalSleepMs));
            for (var i = 0; i < program.Shared.Count; i++)
            {
                var shared = program.Shared[i];
                var reach = Math.Abs((long)shared.Initial) + ProgramTotals.MaxChange(program, shared.Name);
                if (reach > int.MaxValue)
                    Error(TextTemplates.Fill(ProgramMessages.ValueOutOfRange, shared.Name, reach), new(ProgramPlace.SharedPart, i));
            }
        }

        public void Error(string message, ProgramPlace? place = null, string? process = null, string? step = null,
            ProgramStep? stepItself = null) =>
            _errors.Add(new ProgramError(message)
            {
                Place = place,
                Process = process is null ? null : ProgramText.Shown(process),
                Step = step,
                StepText = step is null ? null : ProgramText.Shown(ProgramText.FormatStep(stepItself)),
            });

        public ProgramLimits Limits => limits;

        public (Kind Kind, int Permits)? Find(string? name) =>
            name is not null && _declared.TryGetValue(name, out var found) ? found : null;

        /// <summary>One process, walked in program order with what it holds and what it has read so far.</summary>
        private sealed class ProcessCheck(Check check, ProcessProgram process, int index)
        {
            private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
            private readonly Dictionary<string, (string Path, ProgramStep Step)> _takenAt = new(StringComparer.Ordinal);
            private readonly HashSet<string> _read = new(StringComparer.Ordinal);
            private ProgramLimits Limits => check.Limits;

            public void Run()
            {
                var place = new ProgramPlace(ProgramPlace.ProcessPart, index);
                if (process.Steps is null || process.Steps.Count == 0)
                {
                    check.Error(ProgramMessages.NoSteps, place, process.Name);
                    return;
                }
                var steps = CountSteps(process.Steps, 0);
                if (steps > Limits.MaxStepsPerProcess)
                {
                    check.Error(TextTemplates.Fill(ProgramMessages.TooManySteps, steps > Limits.MaxStepsPerProcess * 2L
                        ? $"over {Limits.MaxStepsPerProcess * 2}" : steps.ToString(CultureInfo.InvariantCulture),
                        Limits.MaxStepsPerProcess), place, process.Name);
                    return;
                }
                Walk(process.Steps, "", 0);
                foreach (var (name, count) in _held)
                {
                    if (count == 0) continue;
                    var (path, step) = _takenAt[name];
                    Error(TextTemplates.Fill(ProgramMessages.EndsHolding, name), path, step);
                }
            }

            /// <summary>Steps written down, counting stopped just past the limit (a hostile list is not walked whole).</summary>
            private long CountSteps(IReadOnlyList<ProgramStep?> steps, int depth)
            {
                long count = 0;
                foreach (var step in steps)
                {
                    count++;
                    if (step is RepeatStep { Steps: { } inner } && depth < Limits.MaxRepeatDepth)
                        count += CountSteps(inner, depth + 1);
                    if (count > Limits.MaxStepsPerProcess * 2L) return count;
                }
                return count;
            }

            private void Walk(IReadOnlyList<ProgramStep?> steps, string prefix, int depth)
            {
                for (var i = 0; i < steps.Count; i++)
                {
                    var path = prefix + (i + 1).ToString(CultureInfo.InvariantCulture);
                    var step = steps[i];
                    switch (step)
                    {
                        case null:
                            Error(ProgramMessages.EmptyStep, path, null);
                            break;
                        case SleepStep s:
                            if (s.Ms < 0 || s.Ms > Limits.MaxSleepMs)
                                Error(TextTemplates.Fill(ProgramMessages.SleepOutOfRange, s.Ms, Limits.MaxSleepMs), path, step);
                            break;
                        case AcquireStep a:
                            Acquire(a.Lock, path, step);
                            break;
                        case ReleaseStep r:
                            Release(r.Lock, path, step);
                            break;
                        case ReadStep r:
                            if (IsShared(r.Shared, path, step)) _read.Add(r.Shared);
                            break;
                        case WriteStep w:
                            if (IsShared(w.Shared, path, step) && !_read.Contains(w.Shared))
                                Error(TextTemplates.Fill(ProgramMessages.WriteWithoutRead, w.Shared), path, step);
                            CheckAmount(w.Amount, path, step);
                            break;
                        case AddStep a:
                            // add is a read then a write: after it, the process has read the integer.
                            if (IsShared(a.Shared, path, step)) _read.Add(a.Shared);
                            CheckAmount(a.Amount, path, step);
                            break;
                        case PrintStep p:
                            IsShared(p.Shared, path, step);
                            break;
                        case RepeatStep r:
                            Repeat(r, path, depth);
                            break;
                    }
                }
            }

            private void Repeat(RepeatStep repeat, string path, int depth)
            {
                if (repeat.Count < 1 || repeat.Count > Limits.MaxRepeatCount)
                    Error(TextTemplates.Fill(ProgramMessages.RepeatCountOutOfRange, repeat.Count, Limits.MaxRepeatCount), path, repeat);
                if (depth + 1 > Limits.MaxRepeatDepth)
                {
                    Error(TextTemplates.Fill(ProgramMessages.RepeatTooDeep, Limits.MaxRepeatDepth), path, repeat);
                    return;
                }
                if (repeat.Steps is null || repeat.Steps.Count == 0)
                {
                    Error(ProgramMessages.EmptyRepeat, path, repeat);
                    return;
                }
                // One round walked from the state it starts in. A round that ends in that state again leaves every later
                // round the same start, and what has been read only grows: the first round is every round.
                var heldBefore = new Dictionary<string, int>(_held, StringComparer.Ordinal);
                Walk(repeat.Steps, path + ".", depth + 1);
                foreach (var name in heldBefore.Keys.Union(_held.Keys).ToList())
                {
                    var before = heldBefore.GetValueOrDefault(name);
                    var after = _held.GetValueOrDefault(name);
                    if (after == before) continue;
                    Error(TextTemplates.Fill(after > before ? ProgramMessages.RepeatKeepsLock : ProgramMessages.RepeatReleasesLock, name),
                        path, repeat);
                    // Go on as if every round had done it, within what can be held: what the author most likely meant, so
                    // that the steps after the repeat are not refused for this one mistake.
                    var permits = check.Find(name)?.Permits ?? 1;
                    _held[name] = (int)Math.Clamp(before + (long)Math.Max(repeat.Count, 1) * (after - before), 0, permits);
                }
            }

            private void Acquire(string? name, string path, ProgramStep step)
            {
                if (LockNamed(name, path, step) is not { } permits) return;
                var held = _held.GetValueOrDefault(name!);
                if (held >= permits)
                {
                    Error(check.Find(name)!.Value.Kind == Kind.Lock
                        ? TextTemplates.Fill(ProgramMessages.LockAlreadyHeld, name)
                        : TextTemplates.Fill(ProgramMessages.AllPermitsHeld, name, permits), path, step);
                    return;
                }
                _held[name!] = held + 1;
                _takenAt[name!] = (path, step);
            }

            private void Release(string? name, string path, ProgramStep step)
            {
                if (LockNamed(name, path, step) is null) return;
                var held = _held.GetValueOrDefault(name!);
                if (held == 0) Error(TextTemplates.Fill(ProgramMessages.ReleaseNotHeld, name), path, step);
                else _held[name!] = held - 1;
            }

            /// <summary>The permits of the lock (1) or semaphore <paramref name="name"/>; null, with its error, for anything else.</summary>
            private int? LockNamed(string? name, string path, ProgramStep step)
            {
                switch (check.Find(name))
                {
                    case { Kind: Kind.Lock or Kind.Semaphore } found:
                        return found.Permits;
                    case { Kind: Kind.Shared }:
                        Error(TextTemplates.Fill(ProgramMessages.SharedIsNotALock, name), path, step);
                        return null;
                    default:
                        Error(TextTemplates.Fill(ProgramMessages.UnknownLock, ProgramText.Shown(name)), path, step);
                        return null;
                }
            }

            private bool IsShared(string? name, string path, ProgramStep step)
            {
                switch (check.Find(name))
                {
                    case { Kind: Kind.Shared }:
                        return true;
                    case { }:
                        Error(TextTemplates.Fill(ProgramMessages.LockIsNotShared, name), path, step);
                        return false;
                    default:
                        Error(TextTemplates.Fill(ProgramMessages.UnknownShared, ProgramText.Shown(name)), path, step);
                        return false;
                }
            }

            private void CheckAmount(int amount, string path, ProgramStep step)
            {
                if (Math.Abs((long)amount) > Limits.MaxAmount)
                    Error(TextTemplates.Fill(ProgramMessages.AmountOutOfRange, amount, Limits.MaxAmount), path, step);
            }

            private void Error(string message, string path, ProgramStep? step) =>
                check.Error(message, new ProgramPlace(ProgramPlace.ProcessPart, index, path), process.Name, path, step);
        }
    }
}
