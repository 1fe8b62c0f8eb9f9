using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.TestServices;
using Microsoft.AspNetCore.Http;

namespace LockLab.Tests.Localization;

/// <summary>
/// Every text the server can answer as a problem's title or detail, a validation entry or a hub error has its Chinese
/// entry in Problems.zh-CN.resx. Read off the server's sources: a new problem written without a translation fails here,
/// not on a Chinese page in front of a class.
/// </summary>
public partial class ProblemCoverageTests
{
    private static readonly string Root = TestRun.RepositoryRoot ?? throw new DirectoryNotFoundException("LockLab.sln not found");
    private static readonly string Server = Path.Combine(Root, "src", "LockLab.Server");

    /// <summary>
    /// Texts an endpoint or the hub passes on by name, written elsewhere: the type whose constants are every text the
    /// name can carry. A name missing here fails the test (say where its texts are written).
    /// </summary>
    private static readonly Dictionary<string, Type> PassedOn = new(StringComparer.Ordinal)
    {
        ["refusal"] = typeof(RunRefusals), // a stop or a step refused (RunCommands)
        ["reason"] = typeof(LaunchResult.Refused), // a run that cannot start now
        ["full.Message"] = typeof(TooManyRoomsException),
        ["notOpen.Message"] = typeof(RoomNotOpenException),
        ["RunIds.Described"] = typeof(RunIds), // what a run id is (its Rule, filled in)
    };

    /// <summary>
    /// The titles ASP.NET Core gives a problem of its own: status-code pages for what no endpoint answered (an unknown
    /// path 404, a wrong method 405, a query value that does not bind 400, a body that is not JSON 415), the exception
    /// handler's 500, and the title of every validation problem.
    /// </summary>
    private static IEnumerable<string> FrameworkTitles() =>
        new[] { 400, 404, 405, 415, 500 }.Select(status => TypedResults.Problem(statusCode: status).ProblemDetails.Title!)
            .Append(TypedResults.ValidationProblem(new Dictionary<string, string[]>()).ProblemDetails.Title!);

    /// <summary>
    /// What is wrong with a request's program, written in the contracts, not the server, and passed on as its
    /// validation entry's messages (which the scan cannot follow): every message of the program reader, the templates of
    /// where it is, and the keywords' examples a message shows (their words in brackets).
    /// </summary>
    private static IEnumerable<string> ProgramTexts() =>
        StringConstants(typeof(ProgramMessages)).Concat(StringConstants(typeof(ProgramPlaces))).Select(c => c.Value)
            .Concat(ProgramMessages.Usages.Values);

    [Fact]
    public void Every_problem_text_the_server_can_answer_has_a_Chinese_translation()
    {
        var found = Directory.EnumerateFiles(Server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => (File: Path.GetRelativePath(Server, f), Found: Read(File.ReadAllText(f), Constant)))
            .ToList();
        var unknown = found.SelectMany(f => f.Found.PassedOn.Where(name => !PassedOn.ContainsKey(name)).Select(name => $"{f.File}: {name}"))
            .ToList();
        Assert.True(unknown.Count == 0, "Problem texts passed on by a name the test does not know (list it in PassedOn, with "
            + "the type whose constants are its texts):\n  " + string.Join("\n  ", unknown));

        var texts = found.SelectMany(f => f.Found.Texts)
            .Concat(PassedOn.Values.SelectMany(StringConstants).Select(c => c.Value))
            .Concat(FrameworkTitles())
            .ToHashSet(StringComparer.Ordinal);
        var keys = Translations().Keys.ToHashSet(StringComparer.Ordinal);
        var templates = new TextTemplates(keys);
        var missing = texts.Where(t => !keys.Contains(t) && templates.Match(t) is null).Order().ToList();

        Assert.True(texts.Count > 80, $"The scan found only {texts.Count} texts: it no longer reads the sources.");
        Assert.True(missing.Count == 0,
            "No Chinese translation (Localization/Problems.zh-CN.resx) for:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void Every_message_of_a_program_has_its_own_Chinese_translation()
    {
        // Its own: another template reading it (a shorter one with a hole where this one has words) is not enough.
        var keys = Translations().Keys.ToHashSet(StringComparer.Ordinal);
        var missing = ProgramTexts().Where(t => !keys.Contains(t)).ToList();
        Assert.True(missing.Count == 0,
            "No Chinese translation (Localization/Problems.zh-CN.resx) for the program's text:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void Every_translation_keeps_the_placeholders_of_its_English_text()
    {
        var differ = Translations().Where(t => Placeholders(t.Key) != Placeholders(t.Value)).Select(t => t.Key).ToList();
        Assert.True(differ.Count == 0, "Placeholders differ from the English key:\n  " + string.Join("\n  ", differ));
    }

    [Fact]
    public void No_two_problem_keys_differ_only_in_case()
    {
        var clashes = Translations().Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => string.Join(" / ", g)).ToList();
        Assert.True(clashes.Count == 0, "Keys that differ only in case:\n  " + string.Join("\n  ", clashes));
    }

    [Theory]
    [InlineData("""return TypedResults.Problem($"There is no run '{id}'.", statusCode: 404, title: "Run not found");""",
        "There is no run '{0}'.|Run not found", "")]
    [InlineData("""TypedResults.Problem(detail: "Gone " + "away.", title: $"No {x:N0}")""", "Gone away.|No {0}", "")]
    [InlineData("""errors["limit"] = [$"Must be between 1 and {Max}."];""", "Must be between 1 and {0}.", "")]
    [InlineData("""errors[a > 1 ? "a" : "b"] = [empty ? $"One of {string.Join(", ", xs)}." : "Unknown."];""",
        "One of {0}.|Unknown.", "")]
    [InlineData("""return new() { ["lesson"] = ["Name a lesson."] };""", "Name a lesson.", "")]
    [InlineData("""throw Error(LabErrorCode.InvalidRequest, "Invalid page: " + Describe(errors));""", "Invalid page: {0}", "")]
    [InlineData("""await Problems.WriteAsync(context, 403, "Another site's page", "Open it " + "(or not).");""",
        "Another site's page|Open it (or not).", "")]
    [InlineData("""TypedResults.Problem($"'{code}' is not a room code. {RoomNames.Rule}", title: "Invalid room code")""",
        "'{0}' is not a room code. A rule.|Invalid room code", "")]
    [InlineData("""TypedResults.Problem(RoomCodeGuesses.Refusal, title: "Too many")""", "Refused.|Too many", "")]
    [InlineData("""TypedResults.Problem(refusal, statusCode: 409, title: "Cannot step now")""", "Cannot step now", "refusal")]
    [InlineData("""throw Error(code, reason);""", "", "reason")]
    [InlineData("""TypedResults.Problem(TextTemplates.Fill(RoomCodeGuesses.Refusal, x))""", "Refused.", "")]
    [InlineData("// TypedResults.Problem(\"In a comment.\")\nvar url = \"http://example.org\"; TypedResults.ValidationProblem(errors); e[f] = [.. m];",
        "", "")]
    public void The_scan_finds_the_texts_of_problems_validation_entries_and_hub_errors(string source, string texts, string passedOn)
    {
        var found = Read(source, name => name switch
        {
            "RoomNames.Rule" => "A rule.",
            "RoomCodeGuesses.Refusal" => "Refused.",
            _ => null,
        });

        Assert.Equal(texts.Split('|', StringSplitOptions.RemoveEmptyEntries), found.Texts);
        Assert.Equal(passedOn.Split('|', StringSplitOptions.RemoveEmptyEntries), found.PassedOn);
    }

    private static Dictionary<string, string> Translations() =>
        XDocument.Load(Path.Combine(Server, "Localization", "Problems.zh-CN.resx")).Root!
            .Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    private static string Placeholders(string text) => string.Join(",", Hole().Matches(text).Select(m => m.Value).Order());

    // ---- The scan ----

    /// <param name="Texts">Each text as written, a value computed in place as a hole (<c>{0}</c>, <c>{1}</c>, …).</param>
    /// <param name="PassedOn">The names whose texts are written elsewhere (<c>refusal</c>, <c>full.Message</c>).</param>
    public sealed record Found(IReadOnlyList<string> Texts, IReadOnlyList<string> PassedOn);

    /// <summary>
    /// The texts <paramref name="source"/> answers as problems: the detail (first argument, or <c>detail:</c>) and
    /// <c>title:</c> of <c>Problem(…)</c>; the title and detail of <c>Problems.WriteAsync(http, status, title, detail)</c>;
    /// the message of a hub error, <c>throw Error(code, message)</c>; and validation entries, <c>errors[…] = […]</c> and
    /// <c>["field"] = […]</c> in a dictionary's initializer. A string constant named there is read by
    /// <paramref name="constant"/> (null: not a string constant).
    /// </summary>
    public static Found Read(string source, Func<string, string?> constant)
    {
        source = WithoutComments(source);
        var texts = new List<string>();
        var passedOn = new List<string>();
        foreach (Match site in Site().Matches(source))
        {
            var open = site.Index + site.Length - 1;
            var arguments = SplitTopLevel(source[(open + 1)..Closing(source, open)], ",");
            IEnumerable<string> read = site switch
            {
                _ when site.Groups["problem"].Success => arguments.Where((a, i) => (i == 0 && !IsNamed(a)) || a.StartsWith("title:") || a.StartsWith("detail:"))
                    .Select(a => IsNamed(a) ? a[(a.IndexOf(':') + 1)..] : a),
                _ when site.Groups["write"].Success => arguments.Skip(2).Take(2),
                _ when site.Groups["hub"].Success => arguments.Skip(1).Take(1),
                _ => arguments.Where(a => !a.StartsWith("..")), // a spread copies entries made elsewhere
            };
            foreach (var argument in read) Evaluate(argument.Trim(), constant, texts, passedOn);
        }
        return new Found(texts, passedOn);
    }

    private static bool IsNamed(string argument) => NamedArgument().IsMatch(argument);

    /// <summary>
    /// A text expression: a literal (interpolated: each value a hole, a constant's text in place), literals and values
    /// joined by <c>+</c>, either branch of <c>?:</c>, a constant, <c>TextTemplates.Fill(constant, …)</c>; else a name
    /// whose texts are written elsewhere.
    /// </summary>
    private static void Evaluate(string expression, Func<string, string?> constant, List<string> texts, List<string> passedOn)
    {
        if (SplitTopLevel(expression, " ? ") is [_, var branches] && SplitTopLevel(branches, " : ") is [var yes, var no])
        {
            Evaluate(yes.Trim(), constant, texts, passedOn);
            Evaluate(no.Trim(), constant, texts, passedOn);
            return;
        }
        var parts = SplitTopLevel(expression, "+").Select(p => p.Trim()).ToList();
        if (parts.Count == 1 && !IsLiteral(parts[0]))
        {
            var fill = FillOf().Match(parts[0]);
            if (constant(fill.Success ? fill.Groups["template"].Value : parts[0]) is { } text) texts.Add(text);
            else passedOn.Add(parts[0]);
            return;
        }
        var result = new StringBuilder();
        var holes = 0;
        foreach (var part in parts)
        {
            if (IsLiteral(part)) result.Append(LiteralText(part, constant, ref holes));
            else result.Append(constant(part) ?? $"{{{holes++}}}");
        }
        texts.Add(result.ToString());
    }

    private static bool IsLiteral(string part) => part.StartsWith('"') || part.StartsWith("$\"") || part.StartsWith("@\"")
        || part.StartsWith("$@\"") || part.StartsWith("@$\"");

    /// <summary>The text of a string literal; an interpolation's value is a constant's text, or a hole.</summary>
    private static string LiteralText(string literal, Func<string, string?> constant, ref int holes)
    {
        var interpolated = literal.TakeWhile(c => c != '"').Contains('$');
        var verbatim = literal.TakeWhile(c => c != '"').Contains('@');
        var text = new StringBuilder();
        for (var i = literal.IndexOf('"') + 1; i < literal.Length - 1; i++)
        {
            var c = literal[i];
            if (!verbatim && c == '\\')
            {
                var escaped = literal[++i];
                text.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => escaped });
            }
            else if (verbatim && c == '"') text.Append(literal[++i]);
            else if (interpolated && c is '{' or '}' && literal[i + 1] == c) text.Append(literal[++i]);
            else if (interpolated && c == '{')
            {
                var close = Closing(literal, i);
                var value = SplitTopLevel(literal[(i + 1)..close], ":")[0];
                value = SplitTopLevel(value, ",")[0].Trim();
                text.Append(constant(value) ?? $"{{{holes++}}}");
                i = close;
            }
            else text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>The source without its comments (a <c>//</c> inside a string is the string's).</summary>
    private static string WithoutComments(string source)
    {
        var result = new StringBuilder(source.Length);
        for (var i = 0; i < source.Length; i++)
        {
            if (LiteralEnd(source, i) is var end and > 0) { result.Append(source, i, end - i); i = end - 1; }
            else if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '/') i = source.IndexOf('\n', i) is var n and >= 0 ? n - 1 : source.Length;
            else if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '*') i = source.IndexOf("*/", i + 2, StringComparison.Ordinal) + 1;
            else result.Append(source[i]);
        }
        return result.ToString();
    }

    /// <summary>Where the literal (string or char) starting at <paramref name="i"/> ends; 0 when none starts there.</summary>
    private static int LiteralEnd(string s, int i)
    {
        if (s[i] == '\'') return CharLiteralEnd(s, i);
        var start = i;
        while (start < s.Length && s[start] is '$' or '@') start++;
        if (start >= s.Length || s[start] != '"' || (start > i && i > 0 && (char.IsLetterOrDigit(s[i - 1]) || s[i - 1] == '_'))) return 0;
        var prefix = s[i..start];
        if (s.AsSpan(start).StartsWith("\"\"\""))
        {
            var quotes = 3;
            while (start + quotes < s.Length && s[start + quotes] == '"') quotes++;
            var close = s.IndexOf(new string('"', quotes), start + quotes, StringComparison.Ordinal);
            return close < 0 ? s.Length : close + quotes;
        }
        var verbatim = prefix.Contains('@');
        var interpolated = prefix.Contains('$');
        for (var j = start + 1; j < s.Length; j++)
        {
            if (!verbatim && s[j] == '\\') j++;
            else if (s[j] == '"' && verbatim && j + 1 < s.Length && s[j + 1] == '"') j++;
            else if (interpolated && s[j] == '{' && j + 1 < s.Length && s[j + 1] == '{') j++;
            else if (interpolated && s[j] == '{') j = Closing(s, j);
            else if (s[j] == '"') return j + 1;
        }
        return s.Length;
    }

    private static int CharLiteralEnd(string s, int i)
    {
        for (var j = i + 1; j < s.Length; j++)
        {
            if (s[j] == '\\') j++;
            else if (s[j] == '\'') return j + 1;
        }
        return s.Length;
    }

    /// <summary>The bracket closing the one at <paramref name="open"/>, literals skipped.</summary>
    private static int Closing(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            if (LiteralEnd(s, i) is var end and > 0) { i = end - 1; continue; }
            if (s[i] is '(' or '[' or '{') depth++;
            else if (s[i] is ')' or ']' or '}' && --depth == 0) return i;
        }
        return s.Length;
    }

    /// <summary><paramref name="s"/> split at each <paramref name="separator"/> outside brackets and literals.</summary>
    private static List<string> SplitTopLevel(string s, string separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var from = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (LiteralEnd(s, i) is var end and > 0) { i = end - 1; continue; }
            if (s[i] is '(' or '[' or '{') depth++;
            else if (s[i] is ')' or ']' or '}') depth--;
            else if (depth == 0 && string.CompareOrdinal(s, i, separator, 0, separator.Length) == 0)
            {
                parts.Add(s[from..i]);
                from = i + separator.Length;
                i = from - 1;
            }
        }
        parts.Add(s[from..]);
        return [.. parts.Select(p => p.Trim()).Where(p => p.Length > 0 || parts.Count == 1)];
    }

    /// <summary>A string constant of the server or the contracts, by its name as the source writes it.</summary>
    private static string? Constant(string name)
    {
        if (!DottedName().IsMatch(name)) return null;
        var values = AllConstants.Value.Where(c => c.Name == name || c.Name.EndsWith("." + name, StringComparison.Ordinal))
            .Select(c => c.Value).Distinct().ToList();
        Assert.True(values.Count <= 1, $"'{name}' names several constants; write it qualified.");
        return values.SingleOrDefault();
    }

    private static readonly Lazy<List<(string Name, string Value)>> AllConstants = new(() =>
        [.. new[] { typeof(LaunchResult).Assembly, typeof(RunInfo).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(StringConstants)]);

    /// <summary>The string constants of <paramref name="type"/> (public or not), named <c>Namespace.Type.Nested.Field</c>.</summary>
    private static IEnumerable<(string Name, string Value)> StringConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => ($"{type.FullName!.Replace('+', '.')}.{f.Name}", (string)f.GetRawConstantValue()!));

    /// <summary>Where a problem text is written: its group names the kind (a validation entry matches none).</summary>
    [GeneratedRegex(@"\b(?:TypedResults|Results)\.(?<problem>Problem)\(|\bProblems\.(?<write>WriteAsync)\(|\bthrow (?<hub>Error)\("
        + @"|(?:\berrors\[[^\]\n]*\]|\[\s*""[^""\n]*""\s*\])\s*=\s*\[")]
    private static partial Regex Site();

    [GeneratedRegex(@"^[A-Za-z_]\w*:\s")]
    private static partial Regex NamedArgument();

    [GeneratedRegex(@"^TextTemplates\.Fill\((?<template>[\w.]+)\s*,")]
    private static partial Regex FillOf();

    [GeneratedRegex(@"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$")]
    private static partial Regex DottedName();

    [GeneratedRegex(@"\{\d+(?:,-?\d+)?(?::[^{}]*)?\}")]
    private static partial Regex Hole();
}
