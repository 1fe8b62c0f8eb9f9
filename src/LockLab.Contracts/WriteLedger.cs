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
/// Fed one event at a time (<see cref="Add"/>), it keeps a compact record per write (24 bytes, not the event) and
/// checks each read as soon as the write it names is known, so a run of a million writes can be accounted for without
/// holding its events. Tolerant of a run still in progress (its events may arrive with gaps): the writes it cannot place
/// in memory order are judged once their neighbours arrive.
/// </summary>
public sealed class WriteLedger
{
    /// <summary>
    /// What the ledger needs of a write event, in 24 bytes (a million-write run keeps a million of them until its
    /// summary): the shared value is 32-bit (<c>Value('i')</c>) and a run's <c>seq</c> stays below
    /// <c>MaxEventsPerRun</c>, so both fit 32 bits; an event that does not fit is reported as a problem (<see cref="Add"/>).
    /// </summary>
    private readonly struct Write(long seq, long value, int id, int readFrom, int replaced, bool namesItsSource, short process)
    {
        private readonly int _seq = (int)seq;
        private readonly int _value = (int)value;
        public long Seq => _seq;
        public long Value => _value;
        public int Id { get; } = id;
        public int ReadFrom { get; } = readFrom;
        public int Replaced { get; } = replaced;
        public short Process { get; } = process;
        public bool NamesItsSource { get; } = namesItsSource;

        public static bool Fits(long seq, long value) =>
            seq is >= int.MinValue and <= int.MaxValue && value is >= int.MinValue and <= int.MaxValue;
    }

    /// <summary>What the ledger needs of a read event, kept only until the write it names is known.</summary>
    private readonly record struct Read(long Seq, long Value, int ReadFrom, short Process);

    private readonly List<Write> _writes;
    private readonly WriteIndex _byId; // write id → index in _writes (the first write with that id)
    private readonly WriteIndex _next; // replaced id → index of the write that replaced it
    private readonly List<string> _problems = [];
    private readonly List<string> _readProblems = [];
    private readonly List<Read> _unresolvedReads = [];
    private readonly List<string> _processNames = [];

    // Worked out on demand from the writes so far (see Settle), dropped when another write arrives.
    private List<int>? _memoryOrder; // indices into _writes, in the order they landed
    private bool[]? _onFinalChain;

    /// <param name="processes">The run's processes, when known…</param>
    /// <param name="writesPerProcess">…and how many writes each makes: the tables are then sized once, and write ids
    /// (a process's number in the top bits, its write's number below) index plain arrays instead of hash tables.</param>
    public WriteLedger(int processes = 0, int writesPerProcess = 0)
    {
        var expected = (long)processes * writesPerProcess;
        var layout = processes is > 0 and < 128 && writesPerProcess is > 0 and < 1 << 24 && expected <= 1 << 26
            ? (processes, writesPerProcess)
            : (0, 0);
        _writes = new List<Write>((int)Math.Min(expected, 1 << 26));
        _byId = new WriteIndex(layout.Item1, layout.Item2);
        _next = new WriteIndex(layout.Item1, layout.Item2);
    }

    /// <summary>
    /// A map from write ids to indices of <see cref="_writes"/>. The lab's ids are <c>(process + 1) &lt;&lt; 24 | n</c>
    /// for a process's n-th write, so a run's ids fill a small dense range: an array (4 bytes a write) instead of a
    /// hash table (≈ 20). Ids outside the layout (a lesson test's, a run cut short or numbered otherwise) go to a
    /// dictionary.
    /// </summary>
    private sealed class WriteIndex(int processes, int perProcess)
    {
        private readonly int[]? _dense = processes > 0 ? new int[processes * perProcess] : null; // index + 1; 0: none
        private int _initial = -1; // id 0, the initial value
        private Dictionary<int, int>? _sparse;

        private int Slot(int id)
        {
            if (_dense is null) return -1;
            int process = (id >>> 24) - 1, number = id & 0xFFFFFF;
            return process >= 0 && process < processes && number >= 1 && number <= perProcess ? process * perProcess + number - 1 : -1;
        }

        public bool TryGetValue(int id, out int index)
        {
            if (id == 0)
            {
                index = _initial;
                return index >= 0;
            }
            var slot = Slot(id);
            if (slot >= 0)
            {
                index = _dense![slot] - 1;
                return index >= 0;
            }
            index = -1;
            return _sparse is not null && _sparse.TryGetValue(id, out index);
        }

        public bool ContainsKey(int id) => TryGetValue(id, out _);

        public int this[int id] => TryGetValue(id, out var index) ? index : throw new KeyNotFoundException($"No write {id}.");

        /// <summary>False when the id is already there (the first one stays).</summary>
        public bool TryAdd(int id, int index)
        {
            if (TryGetValue(id, out _)) return false;
            var slot = Slot(id);
            if (id == 0) _initial = index;
            else if (slot >= 0) _dense![slot] = index + 1;
            else (_sparse ??= new Dictionary<int, int>())[id] = index;
            return true;
        }
    }

    public static WriteLedger From(IEnumerable<RunEvent> events)
    {
        var ledger = new WriteLedger();
        foreach (var e in events) ledger.Add(e);
        return ledger;
    }

    /// <summary>Takes in one event of the run (any kind; only reads and writes matter), in <c>seq</c> order.</summary>
    public void Add(RunEvent e)
    {
        if (e.Kind == EventKind.Read && e.ReadFrom is { } from)
        {
            var read = new Read(e.Seq, e.Value, from, ProcessNumber(e.Process));
            if (!TryCheck(read)) _unresolvedReads.Add(read);
            return;
        }
        if (e.Kind != EventKind.Write || e.WriteId is not { } id) return;
        if (id == 0)
        {
            _problems.Add($"{e.Process}'s write (seq {e.Seq}) carries the id 0, which stands for the initial value.");
            return;
        }
        if (!Write.Fits(e.Seq, e.Value))
        {
            _problems.Add($"{e.Process}'s write (seq {e.Seq}) reports {e.Value}, outside the 32-bit shared value.");
            return;
        }
        var index = _writes.Count;
        _writes.Add(new Write(e.Seq, e.Value, id, e.ReadFrom ?? 0, e.Replaced ?? 0, e.ReadFrom is not null, ProcessNumber(e.Process)));
        if (!_byId.TryAdd(id, index)) _problems.Add($"Two writes carry the id {id} (seq {_writes[_byId[id]].Seq} and {e.Seq}).");
        if (!_next.TryAdd(e.Replaced ?? 0, index))
            _problems.Add($"Two writes say they replaced the same write " +
                $"(seq {_writes[_next[e.Replaced ?? 0]].Seq} and {e.Seq}).");
        _memoryOrder = null;
    }

    /// <summary>How many writes were reported.</summary>
    public int Writes => _writes.Count;

    /// <summary>The value the last write to land left; 0 when nothing was written.</summary>
    public long LastValue
    {
        get
        {
            Settle();
            return _memoryOrder!.Count > 0 ? _writes[_memoryOrder[^1]].Value : 0;
        }
    }

    /// <summary>The writes not on the chain to the last value, in memory order, each with the write that erased it.</summary>
    public List<LostWrite> LostWrites() => Lost(int.MaxValue).Listed;

    /// <summary>
    /// The lost writes: how many, what they had added in all, and the first <paramref name="listLimit"/> of them in
    /// memory order with the write that erased each (<see cref="Erasers"/>).
    /// </summary>
    public (List<LostWrite> Listed, int Count, long Amount) Lost(int listLimit)
    {
        Settle();
        var order = _memoryOrder!;
        var listed = new List<LostWrite>();
        Erasers? erasers = null;
        int count = 0;
        long amount = 0;
        for (var i = 0; i < order.Count; i++)
        {
            var index = order[i];
            if (_onFinalChain![index]) continue;
            var w = _writes[index];
            count++;
            amount += AmountOf(w);
            if (listed.Count >= listLimit) continue;
            erasers ??= new Erasers(this);
            Write? eraser = erasers.After(i) is var at and >= 0 ? _writes[order[at]] : null;
            listed.Add(new LostWrite(w.Seq, _processNames[w.Process], w.Value, eraser?.Seq ?? 0,
                eraser is { } e ? _processNames[e.Process] : "", eraser?.Value ?? 0, AmountOf(w)));
        }
        return (listed, count, amount);
    }

    /// <summary>
    /// Finds the write that erased a lost write: the first one after it in memory order that does not build on it.
    /// <para>
    /// The placed writes form a tree, each under the write whose value it read. Numbered in depth-first order, the
    /// writes that build on a write are exactly those numbered within its subtree, and a segment tree over memory order
    /// (the least and the greatest number in each span) finds the first write after a position numbered outside that
    /// range: O(n) to build, then O(log n) for each lost write. Walking forward, and up the chain of each write passed, took cubic time when one stale write
    /// erased a long chain, which a busy machine makes likely: 11 s for one no-lock run of 8 × 1,000 increments.
    /// </para>
    /// </summary>
    private sealed class Erasers
    {
        private readonly int[] _number; // by memory position: its depth-first number
        private readonly int[] _lastInSubtree; // by memory position: the greatest number in its subtree (itself and the writes that build on it)
        private readonly int[] _min, _max; // the segment tree, 1-based: node k covers its children 2k and 2k + 1
        private readonly int _count;

        public Erasers(WriteLedger ledger)
        {
            var order = ledger._memoryOrder!;
            _count = order.Count;
            var position = new int[ledger._writes.Count];
            Array.Fill(position, -1);
            for (var p = 0; p < _count; p++) position[order[p]] = p;

            // Children lists by memory position. A write hangs from the root (-1) when it read the initial value, or a
            // write that is unknown, not placed, or placed after it (the last two only in a corrupt run).
            var firstChild = new int[_count + 1];
            var nextSibling = new int[_count];
            Array.Fill(firstChild, -1);
            for (var p = _count - 1; p >= 0; p--)
            {
                var w = ledger._writes[order[p]];
                var parent = w.ReadFrom != 0 && ledger._byId.TryGetValue(w.ReadFrom, out var source) ? position[source] : -1;
                if (parent >= p) parent = -1; // a source lands before the writes that read it: this one cannot be followed
                nextSibling[p] = firstChild[parent + 1];
                firstChild[parent + 1] = p;
            }

            // Depth-first numbering without recursion: a chain of a million writes is a million levels deep.
            _number = new int[_count];
            _lastInSubtree = new int[_count];
            var next = 0;
            var path = new Stack<int>(); // the writes from a root down to the one being numbered…
            var child = new Stack<int>(); // …and for each, the next of its children to number (-1: none left)
            for (var root = firstChild[0]; root >= 0; root = nextSibling[root])
            {
                _number[root] = next++;
                path.Push(root);
                child.Push(firstChild[root + 1]);
                while (path.Count > 0)
                {
                    var c = child.Pop();
                    if (c >= 0)
                    {
                        child.Push(nextSibling[c]);
                        _number[c] = next++;
                        path.Push(c);
                        child.Push(firstChild[c + 1]);
                    }
                    else
                    {
                        _lastInSubtree[path.Pop()] = next - 1;
                    }
                }
            }

            var size = 1;
            while (size < Math.Max(1, _count)) size *= 2;
            _min = new int[2 * size];
            _max = new int[2 * size];
            Build(1, 0, _count - 1);
        }

        private void Build(int node, int from, int to)
        {
            if (from > to) return;
            if (from == to)
            {
                _min[node] = _max[node] = _number[from];
                return;
            }
            var mid = (from + to) / 2;
            Build(2 * node, from, mid);
            Build(2 * node + 1, mid + 1, to);
            _min[node] = Math.Min(_min[2 * node], _min[2 * node + 1]);
            _max[node] = Math.Max(_max[2 * node], _max[2 * node + 1]);
        }

        /// <summary>The memory position of the first write after <paramref name="position"/> that does not build on the
        /// write there; -1 when every later write does.</summary>
        public int After(int position) =>
            FirstOutside(1, 0, _count - 1, position + 1, _number[position], _lastInSubtree[position]);

        private int FirstOutside(int node, int from, int to, int start, int low, int high)
        {
            if (to < start || (_min[node] >= low && _max[node] <= high)) return -1;
            if (from == to) return from;
            var mid = (from + to) / 2;
            var left = FirstOutside(2 * node, from, mid, start, low, high);
            return left >= 0 ? left : FirstOutside(2 * node + 1, mid + 1, to, start, low, high);
        }
    }

    /// <summary>
    /// Memory order from the initial value (id 0), each write followed by the one that replaced it; then the
    /// chain to the final value.
    /// </summary>
    private void Settle()
    {
        if (_memoryOrder is not null) return;
        var order = new List<int>();
        var placed = new bool[_writes.Count]; // a corrupt run could name a write twice: the walk ends there
        for (var current = 0; _next.TryGetValue(current, out var index) && !placed[index];)
        {
            order.Add(index);
            placed[index] = true;
            current = _writes[index].Id;
        }
        var onChain = new bool[_writes.Count];
        for (var id = order.Count > 0 ? _writes[order[^1]].Id : 0; id != 0 && _byId.TryGetValue(id, out var index) && !onChain[index];)
        {
            onChain[index] = true;
            id = _writes[index].ReadFrom;
        }
        (_memoryOrder, _onFinalChain) = (order, onChain);
    }

    private long AmountOf(Write write) => write.Value - ValueOf(write.ReadFrom);

    private long ValueOf(int writeId) => writeId == 0 ? InitialValue : _byId.TryGetValue(writeId, out var index) ? _writes[index].Value : 0;

    /// <summary>A read is right when it shows the value of the write it names; judged once that write is known.</summary>
    private bool TryCheck(Read r)
    {
        if (r.ReadFrom != 0 && !_byId.ContainsKey(r.ReadFrom)) return false;
        var value = ValueOf(r.ReadFrom);
        if (value != r.Value)
            _readProblems.Add($"{_processNames[r.Process]}'s read (seq {r.Seq}) saw {r.Value}, " +
                $"but the write it names produced {value}.");
        return true;
    }

    /// <summary>
    /// What the events of a finished run do not account for; empty when they account for everything. Every write must
    /// be placed in memory order, add its process's amount to the value it read, every read must show the value of the
    /// write it names, the last write must hold the final value, and the lost writes' amounts must add up to the
    /// expected value minus the actual one. Any of these failing is a bug in the lab, never a property of the race.
    /// </summary>
    /// <param name="lostAmount">What the lost writes had added in all (<see cref="Lost"/>).</param>
    public List<string> Check(RunParameters parameters, long actualFinalValue, long lostAmount) =>
        Check((long)parameters.Processes * parameters.Iterations, parameters.ExpectedFinalValue, actualFinalValue, lostAmount,
            processIndex => processIndex >= 0 && processIndex < parameters.Amounts.Count ? parameters.Amounts[processIndex] : null);

    /// <summary>The same checks for one shared integer of a program, whose writes add what each step says: every write
    /// placed, every read showing what its write produced, the last write holding the final value, and the lost amounts
    /// adding up to what is missing.</summary>
    /// <param name="expectedWrites">How many writes the run makes to the integer, and <paramref name="expectedFinalValue"/>
    /// what it ends at when none is lost; both null when the run did not go to its end (a deadlock).</param>
    public List<string> Check(long? expectedWrites, long? expectedFinalValue, long actualFinalValue, long lostAmount) =>
        Check(expectedWrites, expectedFinalValue, actualFinalValue, lostAmount, _ => null);

    /// <summary>The value of the integer before any write (a program may start it anywhere; the counter starts at 0).</summary>
    public long InitialValue { get; init; }

    private List<string> Check(long? expectedWrites, long? expectedFinalValue, long actualFinalValue, long lostAmount,
        Func<int, int?> amountOf)
    {
        Settle();
        var problems = new List<string>(_problems);
        var placed = _memoryOrder!.Count;
        if (placed != _writes.Count)
            problems.Add($"{_writes.Count - placed} of {_writes.Count} writes could not be placed in the order they landed.");
        if (expectedWrites is not null && _writes.Count != expectedWrites) problems.Add($"{_writes.Count} writes were reported; the run makes {expectedWrites}.");
        foreach (var index in _memoryOrder)
        {
            var w = _writes[index];
            var process = _processNames[w.Process];
            var processIndex = ProcessIndex(process);
            if (!w.NamesItsSource || (w.ReadFrom != 0 && !_byId.ContainsKey(w.ReadFrom)))
            {
                problems.Add($"{process}'s write (seq {w.Seq}) names a value no write produced ({(w.NamesItsSource ? w.ReadFrom : "")}).");
            }
            else if (amountOf(processIndex) is { } amount && AmountOf(w) != amount)
            {
                problems.Add($"{process}'s write (seq {w.Seq}) added {AmountOf(w)}, not {amount}.");
            }
        }
        // Reads checked as they came, then the ones whose write arrived after them or never did.
        problems.AddRange(_readProblems);
        foreach (var r in _unresolvedReads)
        {
            var process = _processNames[r.Process];
            if (r.ReadFrom != 0 && !_byId.ContainsKey(r.ReadFrom))
                problems.Add($"{process}'s read (seq {r.Seq}) names a write that was not reported ({r.ReadFrom}).");
            else if (ValueOf(r.ReadFrom) != r.Value)
                problems.Add($"{process}'s read (seq {r.Seq}) saw {r.Value}, " +
                    $"but the write it names produced {ValueOf(r.ReadFrom)}.");
        }
        var last = placed > 0 ? _writes[_memoryOrder[^1]].Value : InitialValue;
        if (last != actualFinalValue) problems.Add($"The last write left {last}; the shared value is {actualFinalValue}.");
        if (expectedFinalValue is { } expected && lostAmount != expected - actualFinalValue)
        {
            problems.Add($"The lost writes add up to {lostAmount}, but the final value is {expected - actualFinalValue} short of the " +
                $"expected {expected}.");
        }
        return problems;
    }

    /// <summary>Process names are few: each record keeps a small number, not its own copy of the name.</summary>
    private short ProcessNumber(string process)
    {
        var at = _processNames.IndexOf(process);
        if (at >= 0) return (short)at;
        _processNames.Add(process);
        return (short)(_processNames.Count - 1);
    }

    private static int ProcessIndex(string process) =>
        process.Length > 1 && process[0] == 'p' && int.TryParse(process.AsSpan(1), out var n) ? n - 1 : -1;
}
