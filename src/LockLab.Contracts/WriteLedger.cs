namespace LockLab.Contracts;

/// <summary>
/// The writes of a run to the shared value, as the writes themselves observed them: each write names the write whose
/// value it read (<see cref="RunEvent.ReadFrom"/>) and the write its store replaced (<see cref="RunEvent.Replaced"/>),
/// so the order in which the writes landed in memory and the value each one built on are known, not inferred from
/// the order of the events' tickets (a process can be preempted between a memory operation and its ticket).
/// <para>
/// A write is <b>lost</b> exactly when it is not on the chain that leads to the final value: the last write, the write
/// whose value it read, the write whose value that one read, and so on back to the initial value. A write that was
/// overwritten and then "restored" (a later write read it before the overwrite) is on that chain and not lost. The
/// write that erased a lost write is the next write to land whose value does not build on it.
/// </para>
/// Pure, and tolerant of a run still in progress (its events may arrive with gaps): the writes it cannot place in
/// memory order are judged once their neighbours arrive.
/// </summary>
public sealed class WriteLedger
{
    private readonly Dictionary<int, RunEvent> _byId = [];
    private readonly Dictionary<int, int> _depth = []; // writes between a write and the initial value, itself included
    private readonly Dictionary<int, int> _position = []; // index in memory order
    private readonly List<RunEvent> _memoryOrder = [];
    private readonly HashSet<int> _onFinalChain = [];
    private readonly List<string> _problems = [];
    private readonly List<RunEvent> _reads = [];
    private int _writes;

    private WriteLedger(IEnumerable<RunEvent> events)
    {
        var next = new Dictionary<int, RunEvent>(); // replaced id → the write that replaced it
        foreach (var e in events)
        {
            if (e.Kind == EventKind.Read && e.ReadFrom is not null) _reads.Add(e);
            if (e.Kind != EventKind.Write || e.WriteId is not { } id) continue;
            _writes++;
            if (!_byId.TryAdd(id, e)) _problems.Add($"Two writes carry the id {id} (seq {_byId[id].Seq} and {e.Seq}).");
            if (!next.TryAdd(e.Replaced ?? 0, e)) _problems.Add($"Two writes say they replaced the same write (seq {next[e.Replaced ?? 0].Seq} and {e.Seq}).");
        }

        // Memory order: from the initial value (id 0), each write is followed by the one that replaced it.
        for (var current = 0; next.TryGetValue(current, out var w) && _position.TryAdd(w.WriteId!.Value, _memoryOrder.Count);)
        {
            _memoryOrder.Add(w);
            // A write's source landed before it did (it was in memory when the write's read happened), so its depth is known.
            _depth[w.WriteId.Value] = (w.ReadFrom is { } from && _depth.TryGetValue(from, out var d) ? d : 0) + 1;
            current = w.WriteId.Value;
        }

        for (var id = Last?.WriteId ?? 0; id != 0 && _byId.TryGetValue(id, out var w) && _onFinalChain.Add(id);)
        {
            id = w.ReadFrom ?? 0;
        }
    }

    public static WriteLedger From(IEnumerable<RunEvent> events) => new(events);

    /// <summary>The writes in the order they landed in shared memory (as far as the events so far connect).</summary>
    public IReadOnlyList<RunEvent> MemoryOrder => _memoryOrder;

    /// <summary>The write whose value the shared word holds last; null if nothing was written.</summary>
    public RunEvent? Last => _memoryOrder.Count > 0 ? _memoryOrder[^1] : null;

    /// <summary>What the write added: its value minus the value it read.</summary>
    public long AmountOf(RunEvent write) => write.Value - ValueOf(write.ReadFrom ?? 0);

    private long ValueOf(int writeId) => writeId == 0 ? 0 : _byId.TryGetValue(writeId, out var w) ? w.Value : 0;

    /// <summary>The writes not on the chain to the last value, in memory order, each with the write that erased it.</summary>
    public List<LostWrite> LostWrites()
    {
        var lost = new List<LostWrite>();
        for (var i = 0; i < _memoryOrder.Count; i++)
        {
            var w = _memoryOrder[i];
            if (_onFinalChain.Contains(w.WriteId!.Value)) continue;
            var eraser = _memoryOrder.Skip(i + 1).FirstOrDefault(later => !BuildsOn(later, w));
            lost.Add(new LostWrite(w.Seq, w.Process, w.Value, eraser?.Seq ?? 0, eraser?.Process ?? "", eraser?.Value ?? 0, AmountOf(w)));
        }
        return lost;
    }

    /// <summary>Whether <paramref name="write"/>'s value includes <paramref name="earlier"/>'s: the one is an ancestor of the other.</summary>
    private bool BuildsOn(RunEvent write, RunEvent earlier)
    {
        var target = earlier.WriteId!.Value;
        var targetDepth = _depth[target];
        var id = write.WriteId!.Value;
        // Ancestors are shallower: walk up only as far as the earlier write's depth.
        while (id != 0 && _depth.TryGetValue(id, out var depth) && depth > targetDepth)
        {
            id = _byId[id].ReadFrom ?? 0;
        }
        return id == target;
    }

    /// <summary>
    /// What the events of a finished run do not account for; empty when they account for everything. Every write must
    /// be placed in memory order, add its process's amount to the value it read, every read must show the value of the
    /// write it names, the last write must hold the final value, and the lost writes' amounts must add up to the
    /// expected value minus the actual one. Any of these failing is a bug in the lab, never a property of the race.
    /// </summary>
    public List<string> Check(RunParameters parameters, long actualFinalValue, IReadOnlyList<LostWrite> lost)
    {
        var problems = new List<string>(_problems);
        if (_memoryOrder.Count != _writes) problems.Add($"{_writes - _memoryOrder.Count} of {_writes} writes could not be placed in the order they landed.");
        var expectedWrites = (long)parameters.Processes * parameters.Iterations;
        if (_writes != expectedWrites) problems.Add($"{_writes} writes were reported; the run makes {expectedWrites}.");
        foreach (var w in _memoryOrder)
        {
            var index = ProcessIndex(w.Process);
            if (w.ReadFrom is not { } from || (from != 0 && !_byId.ContainsKey(from)))
            {
                problems.Add($"{w.Process}'s write (seq {w.Seq}) names a value no write produced ({w.ReadFrom}).");
            }
            else if (index >= 0 && index < parameters.Amounts.Count && AmountOf(w) != parameters.Amounts[index])
            {
                problems.Add($"{w.Process}'s write (seq {w.Seq}) added {AmountOf(w)}, not {parameters.Amounts[index]}.");
            }
        }
        foreach (var r in _reads)
        {
            var from = r.ReadFrom!.Value;
            if (from != 0 && !_byId.ContainsKey(from)) problems.Add($"{r.Process}'s read (seq {r.Seq}) names a write that was not reported ({from}).");
            else if (ValueOf(from) != r.Value) problems.Add($"{r.Process}'s read (seq {r.Seq}) saw {r.Value}, but the write it names produced {ValueOf(from)}.");
        }
        var last = Last?.Value ?? 0;
        if (last != actualFinalValue) problems.Add($"The last write left {last}; the shared value is {actualFinalValue}.");
        var lostAmount = lost.Sum(l => l.Amount);
        var missing = parameters.ExpectedFinalValue - actualFinalValue;
        if (lostAmount != missing)
        {
            problems.Add($"The lost writes add up to {lostAmount}, but the final value is {missing} short of the expected {parameters.ExpectedFinalValue}.");
        }
        return problems;
    }

    private static int ProcessIndex(string process) =>
        process.Length > 1 && process[0] == 'p' && int.TryParse(process.AsSpan(1), out var n) ? n - 1 : -1;
}
