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

    /// <summary><c>line 7, process p1, step 2.1 (release l): Releases 'l', which this process does not hold here.</c>
    /// (<see cref="ProgramPlaces"/>: a translation is keyed by the template, as the message's is.)</summary>
    public override string ToString() => (Line, Process, Step, StepText) switch
    {
        // A step is always a process's, and only a step is written out.
        (null, null, _, _) => Message,
        ({ } line, null, _, _) => TextTemplates.Fill(ProgramPlaces.AtLine, line, Message),
        ({ } line, { } process, null, _) => TextTemplates.Fill(ProgramPlaces.AtLineInProcess, line, process, Message),
        ({ } line, { } process, { } step, null) => TextTemplates.Fill(ProgramPlaces.AtLineAtStep, line, process, step, Message),
        ({ } line, { } process, { } step, { } text) =>
            TextTemplates.Fill(ProgramPlaces.AtLineAtStepWritten, line, process, step, text, Message),
        (null, { } process, null, _) => TextTemplates.Fill(ProgramPlaces.InProcess, process, Message),
        (null, { } process, { } step, null) => TextTemplates.Fill(ProgramPlaces.AtStep, process, step, Message),
        (null, { } process, { } step, { } text) => TextTemplates.Fill(ProgramPlaces.AtStepWritten, process, step, text, Message),
    };
}

/// <summary>
/// Where a <see cref="ProgramError"/> is, as the templates its <see cref="ProgramError.ToString"/> is written from: the
/// message is the last hole, so a translation keyed by the template is filled with the message translated in turn.
/// </summary>
public static class ProgramPlaces
{
    /// <summary>{0}: the line, {1}: the message.</summary>
    public const string AtLine = "line {0}: {1}";
    /// <summary>{0}: the line, {1}: the process, {2}: the message.</summary>
    public const string AtLineInProcess = "line {0}, process {1}: {2}";
    /// <summary>{0}: the line, {1}: the process, {2}: the step's place (3, 2.4), {3}: the message.</summary>
    public const string AtLineAtStep = "line {0}, process {1}, step {2}: {3}";
    /// <summary>{0}: the line, {1}: the process, {2}: the step's place, {3}: the step as written, {4}: the message.</summary>
    public const string AtLineAtStepWritten = "line {0}, process {1}, step {2} ({3}): {4}";
    /// <summary>{0}: the process, {1}: the message.</summary>
    public const string InProcess = "process {0}: {1}";
    /// <summary>{0}: the process, {1}: the step's place, {2}: the message.</summary>
    public const string AtStep = "process {0}, step {1}: {2}";
    /// <summary>{0}: the process, {1}: the step's place, {2}: the step as written, {3}: the message.</summary>
    public const string AtStepWritten = "process {0}, step {1} ({2}): {3}";

    public static readonly IReadOnlyList<string> All =
        [AtLine, AtLineInProcess, AtLineAtStep, AtLineAtStepWritten, InProcess, AtStep, AtStepWritten];
}

/// <summary>A part of a program: a declaration (its kind and index), a process (its index) or one of its steps.</summary>
internal readonly record struct ProgramPlace(string Part, int Index, string? Step = null)
{
    public const string SharedPart = "shared";
    public const string LockPart = "lock";
    public const string SemaphorePart = "semaphore";
    public const string ProcessPart = "process";
}
