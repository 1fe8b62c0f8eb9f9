using System.Globalization;
using System.Text.RegularExpressions;
using LockLab.Contracts;

namespace LockLab.Server.Lessons;

/// <summary>
/// Which experiment belongs to which page. The seed format has no such key, so LockLab adds one to the front matter:
/// <code>
/// lab:
///   1: no-lock                                  # section 1 (the first post-heading) runs no-lock
///   2: { scenario: lock, startMode: simultaneous }
///   intro: lock                                 # optional: the page before the first heading
/// </code>
/// Without <c>lab</c>, a section whose code starts processes over a shared value gets <c>lock</c> when that code
/// takes a lock and <c>no-lock</c> otherwise — which is what the lesson series' own lock lesson needs.
/// </summary>
public static partial class LessonExperiments
{
    public const string IntroKey = "intro";

    /// <summary>Experiments declared in front matter, by section number (0 = intro).</summary>
    public static Dictionary<int, RunRequest> FromFrontMatter(object? lab, IReadOnlySet<string> scenarios, List<string> warnings)
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
            if (Read(value, key, scenarios, warnings) is { } request) result[section] = request;
        }
        return result;
    }

    private static RunRequest? Read(object? value, string key, IReadOnlySet<string> scenarios, List<string> warnings)
    {
        var fields = value switch
        {
            string name => new Dictionary<string, object?> { ["scenario"] = name },
            Dictionary<object, object?> m => m.ToDictionary(p => Convert.ToString(p.Key, CultureInfo.InvariantCulture) ?? "",
                p => p.Value, StringComparer.OrdinalIgnoreCase),
            _ => null,
        };
        if (fields is null || !fields.TryGetValue("scenario", out var s) || s is not string scenario)
        {
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryWithoutScenario, key));
            return null;
        }
        if (!scenarios.Contains(scenario))
        {
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryUnknownScenario, key, scenario, string.Join(", ", scenarios)));
            return null;
        }
        int? Int(string name)
        {
            if (!fields.TryGetValue(name, out var v) || v is null) return null;
            if (int.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer,
                CultureInfo.InvariantCulture, out var n)) return n;
            warnings.Add(TextTemplates.Fill(LessonWarnings.LabEntryNotAWholeNumber, key, name));
            return null;
        }
        int[]? amounts = null;
        if (fields.TryGetValue("amounts", out var rawAmounts) && rawAmounts is List<object?> list)
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
            Scenario = scenario,
            Processes = Int("processes"),
            Iterations = Int("iterations"),
            DelayMs = Int("delayMs"),
            GapMs = Int("gapMs"),
            Amounts = amounts,
            StartMode = startMode,
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
