using System.Text;

namespace LockLab.Bench.Report;

/// <summary>
/// One benchmark's part of docs/benchmarks.md: what was measured and how, a table of figures, and the targets it
/// was held to. Suites build one; <see cref="BenchReport"/> writes it between markers so that rerunning one suite
/// replaces only its own section.
/// </summary>
public sealed class BenchSection(string name, string title)
{
    /// <summary>The suite's name on the command line (<c>-- name</c>); also its marker in the document.</summary>
    public string Name { get; } = name;
    public string Title { get; } = title;
    public StringBuilder Text { get; } = new();
    public List<TargetCheck> Targets { get; } = [];

    /// <summary>
    /// How busy other programs kept the machine while the section ran (<see cref="Harness.MachineLoad"/>), for
    /// its heading.
    /// </summary>
    public string MachineLoad { get; set; } = "";

    public BenchSection Paragraph(string markdown)
    {
        Text.AppendLine(markdown.Trim()).AppendLine();
        return this;
    }

    /// <summary>A Markdown table; a header starting with '&gt;' is right-aligned (numbers).</summary>
    public BenchSection Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        Text.AppendLine("| " + string.Join(" | ", headers.Select(h => h.TrimStart('>'))) + " |");
        Text.AppendLine("|" + string.Join("|", headers.Select(h => h.StartsWith('>') ? "---:" : "---")) + "|");
        foreach (var row in rows) Text.AppendLine("| " + string.Join(" | ", row) + " |");
        Text.AppendLine();
        return this;
    }

    /// <summary>Records a figure against its target; the report lists every target, met or missed and by how much.</summary>
    public BenchSection Target(string what, string target, string measured, bool met, string? missedBy = null)
    {
        Targets.Add(new TargetCheck(what, target, measured, met, missedBy));
        return this;
    }
}

/// <param name="MissedBy">How far off a missed target is, in words ("+12 ms", "1.6×").</param>
public sealed record TargetCheck(string What, string Target, string Measured, bool Met, string? MissedBy);
