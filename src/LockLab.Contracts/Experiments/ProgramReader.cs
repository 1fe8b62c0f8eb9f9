using System.Diagnostics.CodeAnalysis;

namespace LockLab.Contracts.Experiments;

/// <summary>
/// The one way a program from outside (a lesson's <c>program:</c>, a request's <c>"program"</c>) becomes one the lab may
/// run: read (if it is text) and validated against the limits, its errors placed on their lines.
/// </summary>
public static class ProgramReader
{
    public static ProgramReadResult Read(ProgramSource source, ProgramLimits limits)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Text is not null ? Read(source.Text, limits)
            : source.Program is not null ? Check(source.Program, limits)
            : ProgramReadResult.Failed([new(ProgramMessages.NoProcess)]);
    }

    /// <summary>The text form (<see cref="ProgramText"/>), read and validated; errors carry their line.</summary>
    public static ProgramReadResult Read(string text, ProgramLimits limits)
    {
        var parsed = ProgramText.Parse(text, limits);
        if (!parsed.IsValid) return parsed;
        var errors = ProgramValidator.Validate(parsed.Program, limits);
        if (errors.Count == 0) return parsed;
        var lines = parsed.Lines ?? new Dictionary<ProgramPlace, int>();
        return ProgramReadResult.Failed([.. errors.Select(e =>
            e.Place is { } place && (lines.TryGetValue(place, out var line) || lines.TryGetValue(place with { Step = null }, out line))
                ? e with { Line = line }
                : e)]);
    }

    /// <summary>The JSON form (the model itself), validated.</summary>
    public static ProgramReadResult Check(ExperimentProgram program, ProgramLimits limits)
    {
        var errors = ProgramValidator.Validate(program, limits);
        return errors.Count == 0 ? new ProgramReadResult(program, []) : ProgramReadResult.Failed(errors);
    }
}

/// <summary>A program read, or the errors that kept it from being one.</summary>
/// <param name="Program">The program; null when there are errors.</param>
public sealed record ProgramReadResult(ExperimentProgram? Program, IReadOnlyList<ProgramError> Errors)
{
    [MemberNotNullWhen(true, nameof(Program))]
    public bool IsValid => Program is not null && Errors.Count == 0;

    /// <summary>The text form's line of each part of the program (declarations, processes, steps).</summary>
    internal IReadOnlyDictionary<ProgramPlace, int>? Lines { get; init; }

    public static ProgramReadResult Failed(IReadOnlyList<ProgramError> errors) => new(null, errors);
}
