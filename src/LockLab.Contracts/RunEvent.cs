using System.Text.Json.Serialization;

namespace LockLab.Contracts;

/// <summary>
/// One thing a worker process did, reported by that process itself.
/// </summary>
/// <param name="Seq">Global order within the run, from 1: a ticket the worker took atomically from the shared segment
/// at the moment it acted, so ordering reflects what happened in memory, not which pipe the server read first.</param>
/// <param name="Process">The simulated process name, <c>p1</c>, <c>p2</c>, …</param>
/// <param name="Pid">The worker's real OS process id.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Value">The counter value the event is about; for <see cref="EventKind.Print"/> exactly what the process printed.</param>
/// <param name="AtMs">Milliseconds since the run started (monotonic clock, comparable across processes).</param>
/// <param name="WriteId">A <see cref="EventKind.Write"/>'s id, unique in the run (the shared value carries the id of the
/// write that produced it).</param>
/// <param name="ReadFrom">A <see cref="EventKind.Read"/> or <see cref="EventKind.Write"/>: the id of the write whose value
/// the process read (for a write: the value it added its amount to); 0 for the initial value.</param>
/// <param name="Replaced">A <see cref="EventKind.Write"/>: the id of the write its store replaced in shared memory (0: the
/// initial value). The writes' order in memory, as observed by the writes themselves.</param>
/// <param name="Round">In a run repeated round after round (<c>rounds</c> &gt; 1, e.g. "Run 100 times"): the round, from 1,
/// the event belongs to; each round starts again from 0. Null in a run of one round.</param>
/// <param name="Target">A program's run with more than one shared integer or more than one lock or semaphore: the integer
/// (read, write, print) or the lock or semaphore (lock-wait, lock-acquired, lock-released) the event is about. Null where
/// there is only one of each (the five classic scenarios), so their events read as they always have.</param>
public sealed record RunEvent(
    long Seq,
    string Process,
    int Pid,
    EventKind Kind,
    long Value,
    double AtMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? WriteId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ReadFrom = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Replaced = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Round = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Target = null);

[JsonConverter(typeof(JsonStringEnumConverter<EventKind>))]
public enum EventKind
{
    /// <summary>The process asks for the lock (it may now block).</summary>
    [JsonStringEnumMemberName("lock-wait")] LockWait,
    /// <summary>The process holds the lock; <c>value</c> is the counter at that moment.</summary>
    [JsonStringEnumMemberName("lock-acquired")] LockAcquired,
    /// <summary>The process read the shared counter (the first half of <c>v.value += num</c>).</summary>
    [JsonStringEnumMemberName("read")] Read,
    /// <summary>The process wrote the shared counter (the second half of <c>v.value += num</c>).</summary>
    [JsonStringEnumMemberName("write")] Write,
    /// <summary>The process printed <c>v.value</c>, read afresh from shared memory as Python's <c>print(v.value)</c> does.</summary>
    [JsonStringEnumMemberName("print")] Print,
    /// <summary>The process released the lock.</summary>
    [JsonStringEnumMemberName("lock-released")] LockReleased,
    /// <summary>The process finished its job; <c>value</c> is the counter as it last saw it.</summary>
    [JsonStringEnumMemberName("exit")] Exit,
}
