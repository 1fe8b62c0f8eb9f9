using System.Globalization;
using LockLab.Contracts;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace LockLab.Server.Lessons;

/// <summary>
/// The YAML block between the leading <c>---</c> lines of a Jekyll lesson. Keys the lab knows are read leniently
/// (<c>date: 2016-11-3</c> is fine, <c>author</c> may be missing); every other key is kept as metadata, never an error.
/// </summary>
public sealed partial class FrontMatter
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();
    private static readonly string[] DateFormats = ["yyyy-M-d", "yyyy-M-d H:m", "yyyy-M-d H:m:s", "yyyy-M-d H:m:s zzz", "yyyy/M/d"];
    private static readonly HashSet<string> KnownKeys =
        ["title", "description", "chapter", "date", "author", "post-headings", "lang", "lab"];

    public string? Title { get; private init; }
    public string? Description { get; private init; }
    public string? Chapter { get; private init; }
    public string? Date { get; private init; }
    public string? Author { get; private init; }
    public string? Language { get; private init; }
    public IReadOnlyList<string> Headings { get; private init; } = [];

    /// <summary>The lab extension: which experiment belongs to which section (see <see cref="LessonExperiments"/>).</summary>
    public object? Lab { get; private init; }

    /// <summary>
    /// Where each <c>lab</c> entry's <c>program: |</c> block sits in the file: the entry's key and the file's line just
    /// above the program's first line, so that an error on line n of the program is on line (this + n) of the file.
    /// Only for a program written as a block (<c>|</c> or <c>&gt;</c>); a quoted or mapped program has no lines to point at.
    /// </summary>
    public IReadOnlyDictionary<string, int> ProgramLines { get; private init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = new Dictionary<string, string>();

    /// <summary>Splits a file into front matter and body. A file without front matter is all body.</summary>
    /// <exception cref="LessonFormatException">The front matter is not closed or not valid YAML.</exception>
    public static (FrontMatter FrontMatter, string Body, int BodyLine) Split(string text, List<string> warnings)
    {
        text = text.TrimStart('\uFEFF');
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r').Trim() != "---") return (new FrontMatter(), text, 1);
        var end = Array.FindIndex(lines, 1, l => l.TrimEnd('\r').Trim() is "---" or "...");
        if (end < 0)
            throw new LessonFormatException(LessonErrors.FrontMatterNotClosed);
        var yaml = string.Join('\n', lines[1..end]);
        var body = string.Join('\n', lines[(end + 1)..]);
        return (Parse(yaml, warnings), body, end + 2);
    }

    private static FrontMatter Parse(string yaml, List<string> warnings)
    {
        if (yaml.Length > LessonLimits.MaxFrontMatterChars)
        {
            throw new LessonFormatException(LessonErrors.FrontMatterTooLong,
                yaml.Length.ToString("N0", CultureInfo.InvariantCulture),
                LessonLimits.MaxFrontMatterChars.ToString("N0", CultureInfo.InvariantCulture));
        }
        object? root;
        try
        {
            yaml = IndentQuotedContinuations(yaml);
            RefuseManyAliases(yaml);
            root = Yaml.Deserialize<object?>(yaml);
        }
        catch (YamlException ex)
        {
            // YAML's own line numbers count from the first line after '---'; the file's line is one more.
            throw new LessonFormatException(LessonErrors.FrontMatterNotYaml, ex.Start.Line + 1, ex.Start.Column, Inner(ex).Message);
        }
        var map = root switch
        {
            null => [],
            Dictionary<object, object?> m => m,
            _ => throw new LessonFormatException(LessonErrors.FrontMatterNotAMap),
        };
        var keys = map.ToDictionary(p => Convert.ToString(p.Key, CultureInfo.InvariantCulture) ?? "", p => p.Value,
            StringComparer.OrdinalIgnoreCase);

        var date = Scalar(keys, "date");
        string? isoDate = null;
        if (date is not null)
        {
            if (DateTime.TryParseExact(
                date.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
                isoDate = parsed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            else warnings.Add(TextTemplates.Fill(LessonWarnings.NotADate, date));
        }

        var headings = new List<string>();
        if (keys.TryGetValue("post-headings", out var rawHeadings) && rawHeadings is not null)
        {
            if (rawHeadings is List<object?> list)
                headings.AddRange(list.Select(h => Convert.ToString(h, CultureInfo.InvariantCulture)?.Trim() ?? ""));
            else warnings.Add(LessonWarnings.HeadingsNotAList);
        }

        return new FrontMatter
        {
            Title = Scalar(keys, "title")?.Trim(),
            Description = Scalar(keys, "description")?.Trim(),
            Chapter = Scalar(keys, "chapter")?.Trim(),
            Date = isoDate ?? date,
            Author = Scalar(keys, "author")?.Trim(),
            Language = Scalar(keys, "lang")?.Trim(),
            Headings = headings,
            Lab = keys.GetValueOrDefault("lab"),
            ProgramLines = keys.GetValueOrDefault("lab") is Dictionary<object, object?> lab && lab.Values.Any(HasProgram)
                ? FindProgramLines(yaml)
                : new Dictionary<string, int>(),
            Metadata = keys.Where(k => !KnownKeys.Contains(k.Key))
                .ToDictionary(k => k.Key, k => Describe(k.Value), StringComparer.Ordinal),
        };
    }

    private static bool HasProgram(object? entry) =>
        entry is Dictionary<object, object?> fields && fields.Keys.Any(k =>
            string.Equals(Convert.ToString(k, CultureInfo.InvariantCulture), "program", StringComparison.OrdinalIgnoreCase));

    /// <summary>The block programs' places (<see cref="ProgramLines"/>), read off the YAML's nodes, which know their lines.</summary>
    private static Dictionary<string, int> FindProgramLines(string yaml)
    {
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlDotNet.RepresentationModel.YamlMappingNode root)
            return lines;
        if (Child(root, "lab") is not YamlDotNet.RepresentationModel.YamlMappingNode lab) return lines;
        foreach (var (key, entry) in lab.Children)
        {
            if (key is not YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } name }
                || entry is not YamlDotNet.RepresentationModel.YamlMappingNode fields
                || Child(fields, "program") is not YamlDotNet.RepresentationModel.YamlScalarNode
                    { Style: YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded } program)
                continue;
            // The node starts at its '|' (YAML's line, from 1); the front matter's first line is the file's second.
            lines[name.Trim()] = (int)program.Start.Line + 1;
        }
        return lines;

        static YamlDotNet.RepresentationModel.YamlNode? Child(YamlDotNet.RepresentationModel.YamlMappingNode map, string name) =>
            map.Children.FirstOrDefault(c => c.Key is YamlDotNet.RepresentationModel.YamlScalarNode k
                && string.Equals(k.Value, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>
    /// Jekyll (Ruby's YAML) accepts a quoted value whose later lines start at column 0, as the tutorial series writes
    /// its multi-line descriptions; strict YAML wants them indented. Indent them, so such files load unchanged.
    /// </summary>
    private static string IndentQuotedContinuations(string yaml)
    {
        var lines = yaml.Split('\n');
        char? open = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (open is not null && line.Length > 0 && !char.IsWhiteSpace(line[0])) lines[i] = line = "  " + line;
            var start = 0;
            if (open is null)
            {
                var colon = QuotedValueStart().Match(line);
                if (!colon.Success) continue;
                open = colon.Groups["q"].Value[0];
                start = colon.Index + colon.Length;
            }
            if (ClosesQuote(line, start, open.Value)) open = null;
        }
        return string.Join('\n', lines);
    }

    private static bool ClosesQuote(string line, int from, char quote)
    {
        for (var i = from; i < line.Length; i++)
        {
            if (quote == '"' && line[i] == '\\') { i++; continue; }
            if (line[i] != quote) continue;
            if (quote == '\'' && i + 1 < line.Length && line[i + 1] == '\'') { i++; continue; } // '' is an escaped quote
            return true;
        }
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*[^#\s][^:]*:\s+(?<q>[""'])",
        System.Text.RegularExpressions.RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial System.Text.RegularExpressions.Regex QuotedValueStart();

    private static string? Scalar(Dictionary<string, object?> keys, string key) =>
        keys.TryGetValue(key, out var value) && value is not null and not List<object?> and not Dictionary<object, object?>
            ? Convert.ToString(value, CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// YamlDotNet shares an aliased node rather than copying it, but reading the result (<see cref="Describe"/>) walks
    /// every path through it: a few nested aliases ("billion laughs") would be exponential work. Count them first.
    /// </summary>
    private static void RefuseManyAliases(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var aliases = 0;
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.AnchorAlias && ++aliases > LessonLimits.MaxAliases)
            {
                throw new LessonFormatException(LessonErrors.TooManyAliases, LessonLimits.MaxAliases);
            }
        }
    }

    /// <summary>A value as text, for metadata: cut at <see cref="LessonLimits.MaxMetadataChars"/>.</summary>
    private static string Describe(object? value)
    {
        var text = new System.Text.StringBuilder();
        Append(value, 0);
        return text.Length > LessonLimits.MaxMetadataChars ? text.ToString(0, LessonLimits.MaxMetadataChars) + "…" : text.ToString();

        void Append(object? v, int depth)
        {
            if (text.Length > LessonLimits.MaxMetadataChars || depth > 16) return;
            switch (v)
            {
                case null:
                    break;
                case List<object?> list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (i > 0) text.Append(", ");
                        Append(list[i], depth + 1);
                    }
                    break;
                case Dictionary<object, object?> map:
                    var first = true;
                    foreach (var (key, item) in map)
                    {
                        if (!first) text.Append(", ");
                        first = false;
                        text.Append(key).Append(": ");
                        Append(item, depth + 1);
                    }
                    break;
                default:
                    text.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    private static Exception Inner(Exception ex) => ex.InnerException is null ? ex : Inner(ex.InnerException);
}

/// <summary>
/// A lesson file that cannot be shown, and why for its author: <paramref name="reason"/> is one of
/// <see cref="LessonErrors"/>, its {0} the file's name and <paramref name="values"/> the rest (<see cref="For"/>).
/// </summary>
public sealed class LessonFormatException(string reason, params object?[] values)
    : Exception(TextTemplates.Fill(reason, ["The lesson", .. values]))
{
    /// <summary>Why the file <paramref name="fileName"/> cannot be shown, as the catalog lists it (in English).</summary>
    public string For(string fileName) => TextTemplates.Fill(reason, [fileName, .. values]);
}
