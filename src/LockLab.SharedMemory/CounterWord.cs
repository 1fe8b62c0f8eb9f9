namespace LockLab.SharedMemory;

/// <summary>
/// The shared value <c>v</c> together with the id of the write that put it there, as they live in one 64-bit word:
/// the value in the low 32 bits (a 32-bit integer, as Python's <c>Value('i')</c> is), the write's id in the high 32.
/// One plain load reads both and one store writes both, so <c>v.value += num</c> stays the unprotected
/// read-modify-write the lesson is about, and yet every read knows exactly which write it saw: lost updates are
/// observed, not inferred from the order in which events were reported.
/// </summary>
/// <param name="WriteId">0 for the initial value (and for runs that report no steps); otherwise unique in the run.</param>
public readonly record struct CounterWord(int Value, int WriteId)
{
    public long Pack() => (long)((ulong)(uint)WriteId << 32 | (uint)Value);

    public static CounterWord Unpack(long word) => new((int)word, (int)(word >>> 32));

    /// <summary>
    /// The id of a process's <paramref name="number"/>th write (from 1): the process's index in the top bits, so that ids
    /// are unique across the run without the processes agreeing on anything (no shared counter inside the race window).
    /// </summary>
    public static int WriteIdFor(int processIndex, int number) =>
        number is > 0 and <= MaxWritesPerProcess && processIndex is >= 0 and < SharedSegment.MaxProcesses
            ? (processIndex + 1) << 24 | number
            : throw new ArgumentOutOfRangeException(nameof(number), $"A process may report at most {MaxWritesPerProcess} writes.");

    public const int MaxWritesPerProcess = (1 << 24) - 1;
}
