using System.Text.Json.Serialization;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// An experiment as a small program per process (issue 19): named shared integers, named locks and semaphores, and for
/// each process the steps it takes. The model is what the worker executes step by step; lessons and the API may write it
/// as text (<see cref="ProgramText"/>) or as this JSON object. A program says nothing about timing of the run as a whole
/// (start mode, live or step mode, rounds): those stay run parameters.
/// </summary>
/// <remarks>
/// A program from outside is read through <see cref="ProgramReader"/>, which checks it against
/// <see cref="ProgramLimits"/>: JSON may put a null where a name, a step or a process belongs, and only a checked
/// program is executed.
/// Lists compare by reference, as in every record: compare two programs by their text (<see cref="ProgramText.Format"/>).
/// </remarks>
public sealed record ExperimentProgram
{
    // A list left out of the JSON, or null, is an empty list: the source-generated reader sets every init-only property,
    // to null when the JSON lacks it.
    private readonly IReadOnlyList<SharedInteger> _shared = [];
    private readonly IReadOnlyList<string> _locks = [];
    private readonly IReadOnlyList<SemaphoreDeclaration> _semaphores = [];
    private readonly IReadOnlyList<ProcessProgram> _processes = [];

    /// <summary>The integers every process shares, each with its value before any process starts.</summary>
    public IReadOnlyList<SharedInteger> Shared { get => _shared; init => _shared = value ?? []; }

    /// <summary>Locks by name: one holder at a time, not re-entrant (Python's <c>multiprocessing.Lock</c>).</summary>
    public IReadOnlyList<string> Locks { get => _locks; init => _locks = value ?? []; }

    /// <summary>Semaphores: up to <see cref="SemaphoreDeclaration.Permits"/> holders at a time. Taken and given back by the
    /// same steps as a lock (<see cref="AcquireStep"/>, <see cref="ReleaseStep"/>).</summary>
    public IReadOnlyList<SemaphoreDeclaration> Semaphores { get => _semaphores; init => _semaphores = value ?? []; }

    /// <summary>The processes in start order (p1 first, as the lesson starts them).</summary>
    public IReadOnlyList<ProcessProgram> Processes { get => _processes; init => _processes = value ?? []; }
}

/// <summary>A shared integer (Python's <c>Value('i', initial)</c>): 32 bits, as the shared segment holds it.</summary>
public sealed record SharedInteger([property: JsonRequired] string Name, int Initial = 0);

/// <summary>A semaphore (Python's <c>multiprocessing.Semaphore(permits)</c>).</summary>
public sealed record SemaphoreDeclaration([property: JsonRequired] string Name, [property: JsonRequired] int Permits);

/// <summary>One process: its name (<c>p1</c>, <c>p2</c>, … or any other name) and its steps, in order.</summary>
public sealed record ProcessProgram(
    [property: JsonRequired] string Name, [property: JsonRequired] IReadOnlyList<ProgramStep> Steps);

/// <summary>
/// One step of a process. In JSON the kind of step is its <c>op</c>: <c>{"op": "add", "shared": "counter", "amount": 1}</c>.
/// Its fields are required (a sleep without <c>ms</c> is an error, not a sleep of 0), except <c>write</c>'s
/// <c>amount</c>, which is 0 when left out. What each step reports as events is <see cref="ProgramTotals.EventsOf"/>'s table.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op",
    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(SleepStep), "sleep")]
[JsonDerivedType(typeof(AcquireStep), "acquire")]
[JsonDerivedType(typeof(ReleaseStep), "release")]
[JsonDerivedType(typeof(ReadStep), "read")]
[JsonDerivedType(typeof(WriteStep), "write")]
[JsonDerivedType(typeof(AddStep), "add")]
[JsonDerivedType(typeof(PrintStep), "print")]
[JsonDerivedType(typeof(RepeatStep), "repeat")]
public abstract record ProgramStep;

/// <summary><c>time.sleep(ms / 1000)</c>. Skipped in step mode, where the presenter sets the pace.</summary>
public sealed record SleepStep([property: JsonRequired] int Ms) : ProgramStep;

/// <summary>Takes a lock, or one permit of a semaphore, waiting while none is free.</summary>
/// <param name="Lock">The lock's or the semaphore's name.</param>
public sealed record AcquireStep([property: JsonRequired] string Lock) : ProgramStep;

/// <summary>Gives back a lock, or one permit of a semaphore, that this process holds.</summary>
public sealed record ReleaseStep([property: JsonRequired] string Lock) : ProgramStep;

/// <summary>Loads a shared integer into the process's own copy of it: the first half of <c>v.value += n</c>.</summary>
public sealed record ReadStep([property: JsonRequired] string Shared) : ProgramStep;

/// <summary>Stores the value this process last read of <paramref name="Shared"/>, plus <paramref name="Amount"/>: the second
/// half of <c>v.value += n</c>. Whatever another process stored in between is overwritten: the lost update.</summary>
public sealed record WriteStep([property: JsonRequired] string Shared, int Amount = 0) : ProgramStep;

/// <summary><c>v.value += n</c>: a read and a write, back to back (the race lives between the two).</summary>
public sealed record AddStep([property: JsonRequired] string Shared, [property: JsonRequired] int Amount) : ProgramStep;

/// <summary><c>print(v.value)</c>: reads the shared integer afresh and prints it.</summary>
public sealed record PrintStep([property: JsonRequired] string Shared) : ProgramStep;

/// <summary>The steps, <paramref name="Count"/> times. The only loop there is: its count is a number in the program, so
/// every program ends.</summary>
public sealed record RepeatStep(
    [property: JsonRequired] int Count, [property: JsonRequired] IReadOnlyList<ProgramStep> Steps) : ProgramStep;
