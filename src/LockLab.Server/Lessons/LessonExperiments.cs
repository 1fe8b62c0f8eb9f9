using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Server.Lessons;

/// <summary>
/// Which experiment belongs to which page. The seed format has no such key, so LockLab adds one to the front matter:
/// <code>
/// lab:
///   1: no-lock                                  # section 1 (the first post-heading) runs no-lock
///   2: { scenario: lock, startMode: simultaneous }
///   intro: lock                                 # optional: the page before the first heading
///   3: { scenario: semaphore, permits: 2, processes: 4 }
///   4:
///     program: |                                # an experiment of its own (ProgramText), or the model as a mapping
///       shared counter
///       process p1:
///         add counter 1
/// </code>
/// A program is read and checked as a request's is (<see cref="ProgramReader"/>, <see cref="ProgramLimits.Default"/>);
/// a program with errors is a warning naming the line of the file, and its page runs no experiment rather than a broken one.
/// Without <c>lab</c>, a section whose code starts processes over a shared value gets <c>lock</c> when that code
/// takes a lock and <c>no-lock</c> otherwise — which is what the lesson series' own lock lesson needs.
/// </summary>
public static partial class LessonExperiments
{
    public const string IntroKey = "intro";

    /// <summary>Experiments declared in front matter, by section number (0 = intro).</summary>
    /// <param name="programLines">Each entry's block program's place in the file (<see cref="FrontMatter.ProgramLines"/>).</param>
    public static Dictionary<int, RunRequest> FromFrontMatter(object? lab, IReadOnlySet<string> scenarios, List<string> warnings,
        IReadOnlyDictionary<string, int>? programLines = null)
    {
        var result = new Dictionary<int, RunRequest>();
        if (lab is null) return result;
        if (lab is not Dictionary<object, object?> map)
        {
            warnings.Add(LessonWarnings.LabNotAMap);
            return result;
        }
        foreach (var (rawKey, value) in map)
        {
            var key = Convert.ToString(rawKey, CultureInfo.InvariantCulture)?.Trim() ?? "";
            int section;
            if (string.Equals(key, IntroKey, StringComparison.OrdinalIgnoreCase)) section = 0;
            else if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out section) || section < 1)
            {
                warnings.Add(TextTemplates.Fill(LessonWarnings.LabKeyNotASection, key));
                continue;
            }
            if (Read(value, key, scenarios, warnings, programLines?.GetValueOrDefault(key)) is { } request) result[section] = request;
        }
        return result;
    }

    private static RunRequest? Read(object? value, string key, IReadOnlySet<string> scenarios, List<string> warnings, int? programLine)
    {
        var fields = value switch
        {
            string name => new Dictionary<string, object?> { ["scenario"] = name },
            Dictionary<object, object?> m => m.ToDictionary(p => Convert.ToString(p.Key, CultureInfo.InvariantCulture) ?? "",
                p => p.Value, StringComparer.OrdinalIgnoreCase),
            _ => null,
        };
        ProgramSource? program = null;
        if (fields is not null && fields.TryGetValue("program", out var rawProgram))
        {
            program = ReadProgram(rawProgram, key, programLine, warnings);
            if (program is null) return null;
        }
        string? scenario = null;
        if (program is null && (fields is null || !fields.TryGetValue("scenario", out var s) || (scenario = s as string) is null))
        {
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryWithoutScenario, key));
            return null;
        }
        if (scenario is not null && !scenarios.Contains(scenario))
        {
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryUnknownScenario, key, scenario, string.Join(", ", scenarios)));
            return null;
        }
        int? Int(string name)
        {
            if (!fields!.TryGetValue(name, out var v) || v is null) return null;
            if (int.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer,
                CultureInfo.InvariantCulture, out var n)) return n;
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryNotAWholeNumber, key, name));
            return null;
        }
        int[]? amounts = null;
        if (fields!.TryGetValue("amounts", out var rawAmounts) && rawAmounts is List<object?> list)
        {
            var parsed = list.Select(a => int.TryParse(Convert.ToString(a, CultureInfo.InvariantCulture),
                CultureInfo.InvariantCulture, out var n) ? (int?)n : null).ToList();
            if (parsed.All(a => a is not null)) amounts = parsed.Select(a => a!.Value).ToArray();
            else warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryAmountsNotNumbers, key));
        }
        StartMode? startMode = null;
        if (fields.TryGetValue("startMode", out var rawMode) && rawMode is string mode)
        {
            startMode = StartModes.Parse(mode);
            if (startMode is null) warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryStartMode, key));
        }
        return new RunRequest
        {
            // With a program there is no scenario: the program is the experiment (a scenario written beside it is not used).
            Scenario = program is null ? scenario : null,
            Program = program,
            Permits = Int("permits"),
            Processes = Int("processes"),
            Iterations = Int("iterations"),
            DelayMs = Int("delayMs"),
            GapMs = Int("gapMs"),
            Amounts = amounts,
            StartMode = startMode,
        };
    }

    /// <summary>
    /// A lab entry's program, read and checked: the text form (<c>program: |</c>) or the model as a mapping. The page
    /// carries it as text, which every client can send back as it came (the model needs a JSON contract the page leaves
    /// out of its download). Null, with a warning, when it is not a valid program.
    /// </summary>
    private static ProgramSource? ReadProgram(object? raw, string key, int? programLine, List<string> warnings)
    {
        ProgramReadResult read;
        string? text = null;
        switch (raw)
        {
            case string written:
                text = written;
                read = ProgramReader.Read(written, ProgramLimits.Default);
                break;
            case Dictionary<object, object?> model:
                ExperimentProgram? parsed;
                try
                {
                    parsed = JsonSerializer.Deserialize(ToJson(model, 0), ProgramsJsonContext.Default.ExperimentProgram);
                }
                catch (JsonException ex)
                {
                    warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryProgramError, key, ex.Message));
                    return null;
                }
                if (parsed is null)
                {
                    warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryProgramNotAProgram, key));
                    return null;
                }
                read = ProgramReader.Check(parsed, ProgramLimits.Default);
                break;
            default:
                warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryProgramNotAProgram, key));
                return null;
        }
        if (read.IsValid) return ProgramSource.FromText(text ?? ProgramText.Format(read.Program));
        foreach (var error in read.Errors)
        {
            // The error's own line is the program's; the author looks for the file's.
            var where = error with { Line = null };
            warnings.Add(error.Line is { } line
                ? TextTemplates.Fill(LessonWarnings.LabEntryProgramErrorAt, key, programLine is { } above ? above + line : line, where)
                : TextTemplates.Fill(LessonWarnings.LabEntryProgramError, key, where));
        }
        return null;
    }

    /// <summary>
    /// A YAML mapping as the JSON the model is read from. YAML read without a schema gives every scalar as text: a
    /// whole number becomes a JSON number (an <c>ms</c>, an <c>amount</c>), anything else stays a string (a name).
    /// </summary>
    private static JsonNode? ToJson(object? value, int depth)
    {
        if (depth > 16) throw new JsonException("program: nested too deeply.");
        return value switch
        {
            null => null,
            Dictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(
                Convert.ToString(p.Key, CultureInfo.InvariantCulture) ?? "", ToJson(p.Value, depth + 1)))),
            List<object?> list => new JsonArray([.. list.Select(item => ToJson(item, depth + 1))]),
            _ when Convert.ToString(value, CultureInfo.InvariantCulture) is { } text
                && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>The experiment a section's own code implies, if any.</summary>
    public static RunRequest? Infer(string sectionMarkdown)
    {
        if (!StartsProcesses().IsMatch(sectionMarkdown) || !SharesAValue().IsMatch(sectionMarkdown)) return null;
        return new RunRequest { Scenario = TakesALock().IsMatch(sectionMarkdown) ? Scenarios.Lock : Scenarios.NoLock };
    }

    [GeneratedRegex(@"\b(?:mp|multiprocessing)\.Process\s*\(", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex StartsProcesses();

    [GeneratedRegex(@"\.value\b", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex SharesAValue();

    [GeneratedRegex(@"\bLock\s*\(\s*\)|\.acquire\s*\(", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex TakesALock();
}
