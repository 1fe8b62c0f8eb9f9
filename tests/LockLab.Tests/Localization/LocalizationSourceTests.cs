using System.Text.RegularExpressions;
using System.Xml.Linq;
using LockLab.Client.Components.Live;
using LockLab.Client.Services;
using LockLab.Contracts;
using LockLab.TestServices;

namespace LockLab.Tests.Localization;

/// <summary>
/// The lab's own words go through the localizer (<c>L["…"]</c>, Resources/Strings.cs), and every one of them has its
/// Chinese translation. Read off the sources: a string added to a component without <c>L</c>, or a key without a
/// translation, fails here, not in front of a class.
/// </summary>
public partial class LocalizationSourceTests
{
    private static readonly string Root = TestRun.RepositoryRoot ?? throw new DirectoryNotFoundException("LockLab.sln not found");
    private static readonly string Client = Path.Combine(Root, "src", "LockLab.Client");

    /// <summary>
    /// Components not converted yet, with how many texts each still shows without the localizer. The number may only go
    /// down (a file at 0 leaves the list): a new English text in any component fails this test.
    /// </summary>
    private static readonly Dictionary<string, int> NotYetLocalized = new(StringComparer.Ordinal)
    {
    };

    /// <summary>Words that are the same in every language: names, units, identifiers.</summary>
    private static readonly HashSet<string> Untranslated = ["LockLab", "pid", "ms", "p1", "p2", "CSV", "JSON", "QR", "URL", "Python"];

    public static TheoryData<string> Components =>
        [.. Directory.EnumerateFiles(Client, "*.razor", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.EndsWith("_Imports.razor"))
            .Select(f => Path.GetRelativePath(Client, f).Replace('\\', '/'))
            .Order()];

    [Theory]
    [MemberData(nameof(Components))]
    public void A_components_visible_text_goes_through_the_localizer(string component)
    {
        var found = UnlocalizedTexts(File.ReadAllText(Path.Combine(Client, component)));
        var allowed = NotYetLocalized.GetValueOrDefault(component);

        Assert.True(found.Count <= allowed,
            $"{component} shows {found.Count} text(s) without L[\"…\"] (allowed: {allowed}):\n  " + string.Join("\n  ", found));
        if (allowed > 0)
        {
            Assert.True(found.Count == allowed,
                $"{component} has {found.Count} unlocalized text(s) now, fewer than the {allowed} listed: lower its count in NotYetLocalized.");
        }
    }

    [Fact]
    public void Every_key_the_components_use_has_a_Chinese_translation_with_the_same_placeholders()
    {
        var translations = Translations("zh-CN");
        var keys = Directory.EnumerateFiles(Client, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor") || f.EndsWith(".cs"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => LocalizerKeys(File.ReadAllText(f)))
            // Keys computed from the contracts: every scenario's title and run button, every start mode's sentence,
            // every run status and event kind by its wire name (the run's status chip, a step's button).
            .Concat(Scenarios.All.SelectMany(s => new[] { Scenarios.Title(s), Scenarios.RunLabel(s) }))
            .Concat(Enum.GetValues<StartMode>().Select(StartModes.Describe))
            // A run's status and an event's kind by their wire names, and what each lesson key does (the keyboard help).
            .Concat(Enum.GetValues<RunStatus>().Select(WireNames.Name))
            .Concat(Enum.GetValues<EventKind>().Select(WireNames.Name))
            // ... and from the client's own code: each process's shape (its tag's tooltip), the amounts field's error,
            // the lesson's keyboard shortcuts.
            .Concat(Enumerable.Range(0, 8).Select(i => ProcessStyle.ShapeName(RunParameters.ProcessName(i))))
            .Concat([new ExperimentSettings { Amounts = "not a number" }.AmountsError!])
            .Concat(LessonKeyboard.Shortcuts.Concat(LessonKeyboard.ProjectionShortcuts).Select(s => s.Action))
            // The server's host page (its error bar) speaks with the client's words.
            .Concat(LocalizerKeys(File.ReadAllText(Path.Combine(Root, "src", "LockLab.Server", "Components", "App.razor"))))
            // The server's sentences for a whole room, which each page shows in its own language (L.ServerText).
            .Concat(ServerTexts.All)
            .ToHashSet(StringComparer.Ordinal);

        var missing = keys.Where(k => !translations.ContainsKey(k)).Order().ToList();
        Assert.True(missing.Count == 0, "No Chinese translation (Resources/Strings.zh-CN.resx) for:\n  " + string.Join("\n  ", missing));
        var holesDiffer = keys.Where(k => Placeholders(k) != Placeholders(translations[k])).ToList();
        Assert.True(holesDiffer.Count == 0, "Placeholders differ from the English key:\n  " + string.Join("\n  ", holesDiffer));
    }

    /// <summary>
    /// Every sentence of <see cref="RunErrors"/>, <see cref="LessonWarnings"/>, <see cref="LessonErrors"/> and
    /// <see cref="JoinAdvice"/> is one of
    /// <see cref="ServerTexts.All"/> (and so has its translation, above): a new reason a run can end, added without
    /// it, fails here.
    /// </summary>
    [Fact]
    public void Every_server_text_is_listed_for_the_pages_to_translate()
    {
        var declared = new[] { typeof(RunErrors), typeof(LessonWarnings), typeof(LessonErrors), typeof(JoinAdvice), typeof(StudentLabels) }
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Empty(declared.Except(ServerTexts.All));
    }

    /// <summary>
    /// The server writes why a run ended, a lesson's warnings and errors and the join advice from those constants only, never as a
    /// sentence of its own in place: one the pages would not know, and would show in English.
    /// </summary>
    [Fact]
    public void The_server_writes_no_run_error_lesson_warning_or_join_advice_in_place()
    {
        var server = Path.Combine(Root, "src", "LockLab.Server");
        var found = Directory.EnumerateFiles(server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: Path.GetRelativePath(server, f), Line: i + 1, Text: line)))
            .Where(l => SentenceInPlace().IsMatch(l.Text)
                || (l.File.StartsWith("Runs", StringComparison.Ordinal) && RunFailureInPlace().IsMatch(l.Text)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(found.Count == 0, "Write these with a constant of RunErrors, LessonWarnings, LessonErrors or JoinAdvice " +
            "(and its translation in Strings.zh-CN.resx):\n  " + string.Join("\n  ", found));
    }

    [Theory]
    [InlineData("warnings.Add($\"The date '{date}' is odd.\");", true)]
    [InlineData("Error = \"The server stopped.\",", true)]
    [InlineData("run.Stop(\"Stopped.\", clock.GetUtcNow());", true)]
    [InlineData("run.Finish(RunStatus.Failed, at, null, $\"Internal error: {ex.Message}\");", true)]
    [InlineData("=> new(RunStatus.Cancelled, null, \"The server is shutting down.\"),", true)]
    [InlineData("throw new LessonFormatException($\"The front matter is {n} long.\");", true)]
    [InlineData("lessons.Add(LessonParser.Broken(file.Slug, name, new(\"could not be read\")));", true)]
    [InlineData("warnings.Add(TextTemplates.Fill(LessonWarnings.NotADate, date));", false)]
    [InlineData("throw new LessonFormatException(LessonErrors.TooManyAliases, LessonLimits.MaxAliases);", false)]
    [InlineData("Error = RunErrors.ServerStopped,", false)]
    [InlineData("StartupError = ex;", false)]
    public void The_in_place_scan_sees_a_sentence_where_a_constant_belongs(string line, bool inPlace) =>
        Assert.Equal(inPlace, SentenceInPlace().IsMatch(line));

    /// <summary>
    /// The resource compiler keeps one of two names that differ only in case ("Live", "live") and drops the other with a
    /// mere warning: the dropped one would show in English.
    /// </summary>
    [Fact]
    public void No_two_keys_differ_only_in_case()
    {
        var clashes = XDocument.Load(Path.Combine(Client, "Resources", "Strings.zh-CN.resx")).Root!
            .Elements("data")
            .Select(d => (string)d.Attribute("name")!)
            .GroupBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => string.Join(" / ", g))
            .ToList();
        Assert.True(clashes.Count == 0, "Keys that differ only in case (word one of them differently):\n  " + string.Join("\n  ", clashes));
    }

    [Theory]
    [InlineData("<b>Hello</b>", 1)]
    [InlineData("<b>@L[\"Hello\"]</b>", 0)]
    [InlineData("<MudButton Label=\"Start now\" />", 1)]
    [InlineData("<MudButton Label=\"@L[\"Start now\"]\" aria-label=\"@L[\"Go\"]\" />", 0)]
    [InlineData("<span>@count ms</span>", 0)]
    [InlineData("<span>@count runs</span>", 1)]
    [InlineData("@if (x is { } y)\n{\n    <i>@y</i>\n}", 0)]
    [InlineData("@* a comment with words *@<i></i>", 0)]
    [InlineData("<i></i>\n@code {\n    private string Label => \"In code\";\n}", 0)]
    public void The_scan_sees_what_a_reader_sees(string markup, int expected) =>
        Assert.Equal(expected, UnlocalizedTexts(markup).Count);

    /// <summary>Texts between tags and in visible attributes that contain a word outside <c>L[…]</c> and <c>@…</c>.</summary>
    public static IReadOnlyList<string> UnlocalizedTexts(string razor)
    {
        var markup = CodeBlock().Replace(Comment().Replace(razor, ""), "");
        markup = StyleOrScript().Replace(markup, "");
        // C# first: statement lines (@if, @foreach, var …;), then expressions (@L[…], @(…), @x.y(…)), which may span
        // lines and hold '>' (lambdas, comparisons) that would otherwise end a text node early.
        markup = string.Join('\n', markup.Split('\n').Select(l => IsRazorCode(l.Trim()) ? "" : l));
        markup = WithoutExpressions(markup);
        var found = new List<string>();
        foreach (Match attribute in VisibleAttribute().Matches(markup))
        {
            var value = attribute.Groups["value"].Value;
            if (!value.StartsWith('@') && HasWords(value)) found.Add($"{attribute.Groups["name"].Value}=\"{value}\"");
        }
        foreach (Match text in TextNode().Matches(markup))
        {
            foreach (var line in text.Groups["text"].Value.Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0 && HasWords(trimmed)) found.Add(trimmed);
            }
        }
        return found;
    }

    private static bool IsRazorCode(string line) =>
        RazorStatement().IsMatch(line) || line is "{" or "}" || line.EndsWith(';') || line.StartsWith("//");

    /// <summary>Removes <c>@L[…]</c>, <c>@(…)</c>, <c>@name.Member(…)[…]</c>: what is left is literal text.</summary>
    private static string WithoutExpressions(string text)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '@') { result.Append(text[i]); continue; }
            i++;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.' or '(' or '['))
            {
                if (text[i] is '(' or '[') i = Closing(text, i);
                i++;
            }
            i--;
        }
        return result.ToString();
    }

    private static int Closing(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] is '(' or '[') depth++;
            else if (text[i] is ')' or ']' && --depth == 0) return i;
            else if (text[i] == '"') i = text.IndexOf('"', i + 1) is var end and >= 0 ? end : text.Length;
        }
        return text.Length - 1;
    }

    private static bool HasWords(string text) =>
        Word().Matches(text).Any(w => !Untranslated.Contains(w.Value));

    /// <summary>The literal keys of <c>L["…"]</c> (and of each branch of <c>L[a ? "…" : "…"]</c>), before any argument.</summary>
    private static IEnumerable<string> LocalizerKeys(string source)
    {
        foreach (Match use in LocalizerUse().Matches(source))
        {
            var close = Closing(source, use.Index + 1);
            var inside = source[(use.Index + 2)..close];
            var depth = 0;
            var end = inside.Length;
            for (var i = 0; i < inside.Length; i++)
            {
                if (inside[i] == '"') { i = inside.IndexOf('"', i + 1); continue; }
                if (inside[i] is '(' or '[') depth++;
                else if (inside[i] is ')' or ']') depth--;
                else if (inside[i] == ',' && depth == 0) { end = i; break; }
            }
            foreach (Match literal in StringLiteral().Matches(inside[..end])) yield return Regex.Unescape(literal.Groups[1].Value);
        }
    }

    private static Dictionary<string, string> Translations(string culture) =>
        XDocument.Load(Path.Combine(Client, "Resources", $"Strings.{culture}.resx")).Root!
            .Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    private static string Placeholders(string text) => string.Join(",", Placeholder().Matches(text).Select(m => m.Value).Order());

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"^@code\s*\{.*", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"<(style|script)\b.*?</\1>", RegexOptions.Singleline)]
    private static partial Regex StyleOrScript();

    [GeneratedRegex(@"\s(?<name>Label|Text|HelperText|Placeholder|Title|title|aria-label|AriaLabel|alt)=""(?<value>[^""]*)""")]
    private static partial Regex VisibleAttribute();

    [GeneratedRegex(@">(?<text>[^<>]+)<")]
    private static partial Regex TextNode();

    [GeneratedRegex(@"^(@?(if|else|foreach|for|while|switch|case|default|var|return|break)\b|@\{|\}\s*else)")]
    private static partial Regex RazorStatement();

    [GeneratedRegex(@"[A-Za-z]{2,}")]
    private static partial Regex Word();

    [GeneratedRegex(@"\bL\[")]
    private static partial Regex LocalizerUse();

    [GeneratedRegex(@"""((?:[^""\\]|\\.)*)""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();

    /// <summary>
    /// A string literal as a lesson warning, a run's error, a stop reason, a run's outcome, why a lesson cannot be shown
    /// or the join advice.
    /// </summary>
    [GeneratedRegex(@"(warnings\.Add\(|\bError = |\.Stop\(|\.Finish\([^;]*|new\(RunStatus\.\w+, null, |RunOutcome\([^;]*|LessonFormatException\(|Broken\([^;]*|Advice\([^;]*)\$?""")]
    private static partial Regex SentenceInPlace();

    /// <summary>In the runs' code: a failure (its message becomes the run's error) written as a string literal.</summary>
    [GeneratedRegex(@"new (RunFailedException|InvalidDataException|IOException)\(\$?""")]
    private static partial Regex RunFailureInPlace();
}
