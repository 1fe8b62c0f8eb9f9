using System.Globalization;
using System.Text;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// The text form of a program, as a lesson author writes it (a block string under <c>program:</c> in front matter) and
/// as <c>POST /api/runs</c> accepts it in a JSON string:
/// <code>
/// # The lesson's second experiment
/// shared counter = 0          # a shared integer and its initial value (0 when left out)
/// lock l                      # a lock
/// semaphore pool permits 2    # a semaphore and its permits
///
/// process p1:
///   acquire l
///   repeat 5 {
///     sleep 100               # milliseconds
///     add counter 1           # read, then write the value read + 1: v.value += 1
///     print counter
///   }
///   release l
/// process p2:
///   …
/// </code>
/// The grammar, one statement a line:
/// <list type="bullet">
/// <item><c>#</c> starts a comment, to the end of its line; blank lines are skipped. There are no strings, so a
/// <c>#</c> is always a comment.</item>
/// <item>Declarations come first: <c>shared NAME</c> or <c>shared NAME = N</c>, <c>lock NAME</c>,
/// <c>semaphore NAME permits N</c>.</item>
/// <item><c>process NAME:</c> starts a process; its steps follow, up to the next <c>process</c> or the end.</item>
/// <item>Steps: <c>sleep MS</c>, <c>acquire NAME</c>, <c>release NAME</c>, <c>read NAME</c>, <c>write NAME</c> or
/// <c>write NAME N</c> (stores the value last read, plus N), <c>add NAME N</c>, <c>print NAME</c>, and
/// <c>repeat N {</c> … <c>}</c> with the <c>}</c> alone on a line (the <c>{</c> may also stand alone on the line after
/// <c>repeat N</c>).</item>
/// <item>Indentation means nothing (braces do); words are separated by spaces or tabs; <c>:</c>, <c>=</c>,
/// <c>{</c> and <c>}</c> need no spaces around them. Numbers are whole, with an optional sign (<c>add x -1</c>).
/// Keywords are lower case; names are case-sensitive (<see cref="ProgramNames"/>).</item>
/// </list>
/// <see cref="Parse"/> reads the syntax only: <see cref="ProgramReader"/> reads and validates.
/// </summary>
public static class ProgramText
{
    private static readonly HashSet<string> StepWords =
        new(["sleep", "acquire", "release", "read", "write", "add", "print", "repeat"], StringComparer.Ordinal);

    /// <summary>
    /// Reads the text's syntax into a program. On any error the result has no program and lists every error found (up
    /// to <see cref="ProgramLimits.MaxErrors"/>), each with its line, and its process and step when it is in one. A text
    /// longer than <see cref="ProgramLimits.MaxTextChars"/> is refused before it is read.
    /// </summary>
    public static ProgramReadResult Parse(string text, ProgramLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(limits);
        if (text.Length > limits.MaxTextChars)
            return ProgramReadResult.Failed([new(TextTemplates.Fill(ProgramMessages.TextTooLong, text.Length, limits.MaxTextChars))]);
        return new TextParser(limits).Parse(text);
    }

    /// <summary>The program as text, in the form <see cref="Parse"/> reads back to the same program: two spaces a level.</summary>
    public static string Format(ExperimentProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var text = new StringBuilder();
        foreach (var shared in program.Shared) text.Append("shared ").Append(shared.Name).Append(" = ").Append(Number(shared.Initial)).Append('\n');
        foreach (var name in program.Locks) text.Append("lock ").Append(name).Append('\n');
        foreach (var s in program.Semaphores) text.Append("semaphore ").Append(s.Name).Append(" permits ").Append(Number(s.Permits)).Append('\n');
        foreach (var process in program.Processes)
        {
            text.Append("process ").Append(process.Name).Append(":\n");
            AppendSteps(text, process.Steps, 1);
        }
        return text.ToString();
    }

    /// <summary>One step as its line reads (a repeat: its first line, <c>repeat 5 {</c>).</summary>
    public static string FormatStep(ProgramStep? step) => step switch
    {
        SleepStep s => $"sleep {Number(s.Ms)}",
        AcquireStep a => $"acquire {a.Lock}",
        ReleaseStep r => $"release {r.Lock}",
        ReadStep r => $"read {r.Shared}",
        WriteStep { Amount: 0 } w => $"write {w.Shared}",
        WriteStep w => $"write {w.Shared} {Number(w.Amount)}",
        AddStep a => $"add {a.Shared} {Number(a.Amount)}",
        PrintStep p => $"print {p.Shared}",
        RepeatStep r => $"repeat {Number(r.Count)} {{",
        _ => "(empty)",
    };

    private static void AppendSteps(StringBuilder text, IReadOnlyList<ProgramStep> steps, int depth)
    {
        foreach (var step in steps)
        {
            text.Append(' ', depth * 2).Append(FormatStep(step)).Append('\n');
            if (step is not RepeatStep repeat) continue;
            AppendSteps(text, repeat.Steps, depth + 1);
            text.Append(' ', depth * 2).Append("}\n");
        }
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>One pass over the lines; repeats open and close on an explicit stack (no recursion, however deep).</summary>
    private sealed class TextParser(ProgramLimits limits)
    {
        private readonly List<ProgramError> _errors = [];
        private readonly Dictionary<ProgramPlace, int> _lines = [];
        private readonly List<SharedInteger> _shared = [];
        private readonly List<string> _locks = [];
        private readonly List<SemaphoreDeclaration> _semaphores = [];
        private readonly List<ProcessProgram> _processes = [];

        /// <summary>The process being read: its name and its top-level steps; null before the first.</summary>
        private (string Name, List<ProgramStep> Steps)? _process;

        /// <summary>The repeats open in the current process, innermost last.</summary>
        private readonly Stack<Opened> _open = new();

        /// <summary>A <c>repeat N</c> whose <c>{</c> did not end its line: the next line must be that <c>{</c>.</summary>
        private int? _braceDue;

        private int _line;

        private sealed record Opened(int Count, int Line, string Path, List<ProgramStep> Steps);

        public ProgramReadResult Parse(string text)
        {
            foreach (var raw in text.Split('\n'))
            {
                _line++;
                var tokens = Tokenize(raw);
                if (tokens.Count > 0) Statement(tokens);
                if (_errors.Count > limits.MaxErrors) break;
            }
            if (_errors.Count <= limits.MaxErrors) EndProcess();
            if (_errors.Count == 0)
            {
                var program = new ExperimentProgram
                {
                    Shared = _shared, Locks = _locks, Semaphores = _semaphores, Processes = _processes,
                };
                return new ProgramReadResult(program, []) { Lines = _lines };
            }
            if (_errors.Count > limits.MaxErrors)
            {
                _errors.RemoveRange(limits.MaxErrors, _errors.Count - limits.MaxErrors);
                _errors.Add(new(TextTemplates.Fill(ProgramMessages.TooManyErrors, limits.MaxErrors)));
            }
            return ProgramReadResult.Failed(_errors);
        }

        private void Statement(List<string> tokens)
        {
            var word = tokens[0];
            if (_braceDue is { } count)
            {
                _braceDue = null;
                if (tokens is ["{"])
                {
                    OpenRepeat(count, _line - 1);
                    return;
                }
                Error(TextTemplates.Fill(ProgramMessages.Usage, "repeat", ProgramMessages.Usages["repeat"]), atStep: true, line: _line - 1);
            }
            switch (word)
            {
                case "shared" or "lock" or "semaphore" when _process is not null:
                    Error(ProgramMessages.DeclarationAfterProcess);
                    break;
                case "shared":
                    if (tokens is [_, var name] && IsWord(name)) Declare(ProgramPlace.SharedPart, _shared.Count, () => _shared.Add(new(name)));
                    else if (tokens is not [_, var named, "=", var value] || !IsWord(named)) Usage(word);
                    else if (Int(value) is { } initial)
                        Declare(ProgramPlace.SharedPart, _shared.Count, () => _shared.Add(new(named, initial)));
                    break;
                case "lock":
                    if (tokens is [_, var lockName] && IsWord(lockName)) Declare(ProgramPlace.LockPart, _locks.Count, () => _locks.Add(lockName));
                    else Usage(word);
                    break;
                case "semaphore":
                    if (tokens is not [_, var semaphore, "permits", var number] || !IsWord(semaphore)) Usage(word);
                    else if (Int(number) is { } permits)
                        Declare(ProgramPlace.SemaphorePart, _semaphores.Count, () => _semaphores.Add(new(semaphore, permits)));
                    break;
                case "process":
                    EndProcess();
                    // Even a header written wrong starts a process: its steps are read, so that their own errors are found too.
                    _lines[new(ProgramPlace.ProcessPart, _processes.Count)] = _line;
                    _process = (tokens.Count > 1 && IsWord(tokens[1]) ? tokens[1] : "?", []);
                    if (tokens is not [_, var processName, ":"] || !IsWord(processName)) Usage(word);
                    break;
                case "}":
                    if (tokens.Count != 1) Usage(word);
                    else if (_open.Count == 0) Error(ProgramMessages.UnmatchedClose);
                    else CloseRepeat();
                    break;
                case "{":
                    Error(ProgramMessages.UnexpectedOpen);
                    break;
                default:
                    if (!StepWords.Contains(word))
                    {
                        var template = _process is null ? ProgramMessages.NotADeclaration : ProgramMessages.NotAStep;
                        Error(TextTemplates.Fill(template, Shown(word)), atStep: _process is not null);
                    }
                    else if (_process is null) Error(TextTemplates.Fill(ProgramMessages.StepOutsideProcess, word));
                    else Step(tokens);
                    break;
            }
        }

        private void Declare(string part, int index, Action add)
        {
            _lines[new(part, index)] = _line;
            add();
        }

        private void Step(List<string> tokens)
        {
            var word = tokens[0];
            if (word == "repeat")
            {
                switch (tokens)
                {
                    case [_, var number, "{"]:
                        // Opened even with a wrong count: its steps and its '}' are then read as the author meant them.
                        OpenRepeat(Int(number) ?? 0, _line);
                        break;
                    case [_, var number] when IsWord(number):
                        _braceDue = Int(number) ?? 0;
                        break;
                    default:
                        Usage(word);
                        break;
                }
                return;
            }
            var name = tokens.Count > 1 && IsWord(tokens[1]) ? tokens[1] : null;
            var shapeRight = (word, tokens.Count) switch
            {
                ("sleep", 2) => true,
                ("acquire" or "release" or "read" or "print", 2) => name is not null,
                ("write", 2 or 3) => name is not null,
                ("add", 3) => name is not null,
                _ => false,
            };
            if (!shapeRight)
            {
                Usage(word);
                return;
            }
            ProgramStep? step = word switch
            {
                "sleep" => Int(tokens[1]) is { } ms ? new SleepStep(ms) : null,
                "acquire" => new AcquireStep(name!),
                "release" => new ReleaseStep(name!),
                "read" => new ReadStep(name!),
                "print" => new PrintStep(name!),
                "write" when tokens.Count == 2 => new WriteStep(name!),
                "write" => Int(tokens[2]) is { } written ? new WriteStep(name!, written) : null,
                _ => Int(tokens[2]) is { } added ? new AddStep(name!, added) : null,
            };
            // A step with an error is left out; its error is listed, and the program will not be returned.
            if (step is null) return;
            _lines[new(ProgramPlace.ProcessPart, _processes.Count, NextPath())] = _line;
            CurrentSteps.Add(step);
        }

        private void OpenRepeat(int count, int line)
        {
            var path = NextPath();
            _lines[new(ProgramPlace.ProcessPart, _processes.Count, path)] = line;
            // A placeholder holds the repeat's place among its siblings until its '}' gives it its steps.
            CurrentSteps.Add(new RepeatStep(count, []));
            _open.Push(new Opened(count, line, path, []));
        }

        private void CloseRepeat()
        {
            var repeat = _open.Pop();
            var parent = CurrentSteps;
            parent[^1] = new RepeatStep(repeat.Count, repeat.Steps);
        }

        private void EndProcess()
        {
            if (_braceDue is not null)
            {
                _braceDue = null;
                Error(TextTemplates.Fill(ProgramMessages.Usage, "repeat", ProgramMessages.Usages["repeat"]), atStep: true, line: _line);
            }
            if (_process is not { } process) return;
            while (_open.Count > 0)
            {
                var repeat = _open.Pop();
                _errors.Add(new ProgramError(ProgramMessages.UnclosedRepeat)
                {
                    Line = repeat.Line, Process = process.Name, Step = repeat.Path,
                    StepText = FormatStep(new RepeatStep(repeat.Count, [])),
                });
            }
            _processes.Add(new ProcessProgram(process.Name, process.Steps));
            _process = null;
        }

        private List<ProgramStep> CurrentSteps => _open.Count > 0 ? _open.Peek().Steps : _process!.Value.Steps;

        /// <summary>The place the next step of the current list takes: <c>3</c>, or <c>2.4</c> inside a repeat.</summary>
        private string NextPath()
        {
            var index = (CurrentSteps.Count + 1).ToString(CultureInfo.InvariantCulture);
            return _open.Count > 0 ? $"{_open.Peek().Path}.{index}" : index;
        }

        /// <summary>A whole number that fits 32 bits, or null with its error listed (the limits are the validator's).</summary>
        private int? Int(string token)
        {
            if (token.Length <= 12 && int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                return n;
            Error(TextTemplates.Fill(ProgramMessages.NotANumber, Shown(token)), atStep: _process is not null);
            return null;
        }

        private void Usage(string word) =>
            Error(TextTemplates.Fill(ProgramMessages.Usage, word, ProgramMessages.Usages[word]), atStep: StepWords.Contains(word));

        /// <param name="atStep">The line is a step's: name the place it takes in its process.</param>
        private void Error(string message, bool atStep = false, int? line = null) =>
            _errors.Add(new ProgramError(message)
            {
                Line = line ?? _line,
                Process = _process?.Name,
                Step = atStep && _process is not null ? NextPath() : null,
            });

        private static List<string> Tokenize(string line)
        {
            var tokens = new List<string>();
            var word = new StringBuilder();
            foreach (var c in line)
            {
                if (c == '#') break;
                if (c is ':' or '=' or '{' or '}' || char.IsWhiteSpace(c))
                {
                    if (word.Length > 0) tokens.Add(word.ToString());
                    word.Clear();
                    if (!char.IsWhiteSpace(c)) tokens.Add(c.ToString());
                }
                else word.Append(c);
            }
            if (word.Length > 0) tokens.Add(word.ToString());
            return tokens;
        }

        private static bool IsWord(string token) => token is not (":" or "=" or "{" or "}");
    }

    /// <summary>A word as an error quotes it: a hostile one is cut short, not echoed whole.</summary>
    internal static string Shown(string? word) =>
        word is null ? "" : word.Length <= 40 ? word : string.Concat(word.AsSpan(0, 40), "…");
}
