using System.Text;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// One thing wrong with a program, and where: the line of its text (when it was written as text), the process and the
/// step. A request's <c>400</c> lists them (<see cref="ToString"/>), so an author finds the step without counting.
/// </summary>
/// <param name="Message">What is wrong, from a template of <see cref="ProgramMessages"/>.</param>
public sealed record ProgramError(string Message)
{
    /// <summary>The line of the text form, from 1; null for a program given as JSON.</summary>
    public int? Line { get; init; }

    /// <summary>The process's name as written; null for an error in the declarations or in the program as a whole.</summary>
    public string? Process { get; init; }

    /// <summary>
    /// The step's place in its process: <c>3</c> for the third step, <c>2.4</c> for the fourth step inside the repeat
    /// that is the second step. The same in the text and the JSON form, whose <c>steps</c> arrays it indexes from 1.
    /// </summary>
    public string? Step { get; init; }

    /// <summary>The step as the text form writes it (<c>release l</c>, <c>repeat 5 {</c>).</summary>
    public string? StepText { get; init; }

    /// <summary>Which part of the program the error is about, for <see cref="ProgramReader"/> to find its line: the
    /// validator knows the model, not the text it came from.</summary>
    internal ProgramPlace? Place { get; init; }

    /// <summary><c>line 7, process p1, step 2.1 (release l): Releases 'l', which this process does not hold here.</c></summary>
    public override string ToString()
    {
        var where = new StringBuilder();
        if (Line is { } line) where.Append("line ").Append(line);
        if (Process is not null) where.Append(where.Length > 0 ? ", " : "").Append("process ").Append(Process);
        if (Step is not null) where.Append(where.Length > 0 ? ", " : "").Append("step ").Append(Step);
        if (StepText is not null) where.Append(" (").Append(StepText).Append(')');
        return where.Length == 0 ? Message : $"{where}: {Message}";
    }
}

/// <summary>A part of a program: a declaration (its kind and index), a process (its index) or one of its steps.</summary>
internal readonly record struct ProgramPlace(string Part, int Index, string? Step = null)
{
    public const string SharedPart = "shared";
    public const string LockPart = "lock";
    public const string SemaphorePart = "semaphore";
    public const string ProcessPart = "process";
}
