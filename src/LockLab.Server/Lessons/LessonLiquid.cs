using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;
using Fluid.Utils;
using Fluid.Values;
using LockLab.Contracts;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Parlot.Fluent;

namespace LockLab.Server.Lessons;

/// <summary>What a lesson's Liquid may reach: its own front matter, the library's lessons and its <c>_includes</c>.</summary>
/// <param name="FileName">The lesson's file name, for warnings.</param>
/// <param name="FirstLine">The file's line the body starts on (after the front matter), for warnings.</param>
/// <param name="ResolveLink">A <c>{% link path %}</c> target to the lab's URL of that lesson, or null when the library
/// lacks it.</param>
/// <param name="ReadInclude">The text of <c>_includes/name</c> in the lesson's own lessons folder, or null when there is
/// no such file there (or it leads out of the folder). Null: no includes at all.</param>
public sealed record LessonSite(
    string FileName, int FirstLine, Func<string, string?> ResolveLink, Func<string, string?>? ReadInclude, FrontMatter Page);

/// <summary>
/// The one place a lesson's Liquid is handled: parsed and rendered by Fluid, as Jekyll renders Liquid before kramdown
/// sees the Markdown. The result is Markdown, with <see cref="SectionBreak"/> where <c>{% include assign-heading.html %}</c>
/// stood.
/// <list type="bullet">
/// <item><c>{% raw %}</c>…<c>{% endraw %}</c>: the content as written, tags and all.</item>
/// <item>Code — fenced blocks, <c>{% highlight %}</c> bodies, inline <c>`code`</c> — is shown as written. Jekyll runs Liquid
/// inside code too, which is why its lessons wrap such code in <c>{% raw %}</c>; a raw pair inside code is therefore
/// dropped (the code reads as on the Jekyll site), and a lone tag shows as itself (where Jekyll would run it, or fail
/// the build on a lone <c>{% raw %}</c>): a lesson about Liquid means the tag it shows.</item>
/// <item><c>{% highlight lang %}</c> becomes a fenced code block; <c>{% link path %}</c> the lab's URL of that lesson, or
/// just the link's text when the library lacks it; <c>{% include name %}</c> the file <c>_includes/name</c> of the
/// lesson's own lessons folder and nothing outside it, nested at most <see cref="LessonLimits.MaxIncludeDepth"/> deep.</item>
/// <item>Liquid's own tags (<c>if</c>, <c>for</c>, <c>assign</c>, <c>capture</c>, <c>comment</c>, …) work as in Jekyll;
/// any other tag is shown as written, with a warning naming it.</item>
/// <item><c>{{ page.x }}</c> is the front matter's <c>x</c> (<c>title</c>, <c>date</c>, any other key as written), and
/// <c>{{ include.x }}</c> a parameter of the include. As in Jekyll, a missing key renders as nothing; a variable that is
/// neither (<c>site.baseurl</c>: the lab has no Jekyll site) renders as nothing too, with a warning naming it.</item>
/// <item>A syntax error, or Liquid that does too much work or writes too much (<see cref="LessonLimits"/>), leaves the text as written
/// (still split into pages at its heading markers) with a warning: the lesson is still served.</item>
/// </list>
/// </summary>
public static partial class LessonLiquid
{
    /// <summary>Where the text is split into pages (<c>{% include assign-heading.html %}</c>).</summary>
    public const char SectionBreak = '\uE004';

    // The loader's own markers, from Unicode's private use area; removed from a lesson's text before anything else,
    // so a lesson cannot forge one.
    private const char CodeStart = '\uE000', CodeEnd = '\uE001', MissingLinkStart = '\uE002', MissingLinkEnd = '\uE003';

    /// <summary>The include that marks a heading in the tutorial series' format; it splits the lesson into pages.</summary>
    private const string HeadingInclude = "assign-heading.html";

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(LessonLimits.MaxLiquidSteps)
        .WithMaxOutputSize(LessonLimits.MaxLiquidOutputChars)
        .Build();

    /// <summary>Finds inline code in the Markdown (Markdig knows where a code span starts and ends; a pattern would not).</summary>
    private static readonly MarkdownPipeline CodeSpans = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .UsePreciseSourceLocation()
        .Build();

    /// <summary>
    /// A tag's argument: everything up to its <c>%}</c> (or <c>-%}</c>), as Jekyll's tags take it. The end is looked for
    /// as plain text: Fluid's own tag end skips white space first, which, tried at every character of a long run of
    /// spaces, is quadratic.
    /// </summary>
    private static readonly Parser<string> Argument =
        Parsers.AnyCharBefore(Parsers.Literals.Text("-%}").Or(Parsers.Literals.Text("%}")), canBeEmpty: true)
            .Then(text => text.ToString().Trim());

    /// <summary>The body as Markdown, its Liquid rendered (see the class summary).</summary>
    public static string Render(string body, LessonSite site, List<string> warnings) => new Rendering(site, warnings).Run(body);

    /// <summary>One lesson's rendering: a parser of its own, as the tags it uses but the lab lacks are added to it.</summary>
    private sealed class Rendering
    {
        private readonly LessonSite _site;
        private readonly List<string> _warnings;
        private readonly FluidParser _parser = new();
        private readonly List<string> _code = [];
        private readonly List<string> _missingLinks = [];
        private readonly Dictionary<string, object?> _includes = new(StringComparer.Ordinal);
        private int _depth;
        private int _included;

        public Rendering(LessonSite site, List<string> warnings)
        {
            _site = site;
            _warnings = warnings;
            // Fluid's include and render read files through its own provider, with Shopify's syntax; Jekyll's include
            // (below) reads the library's _includes, and render is no Jekyll tag.
            _parser.RegisteredTags.Remove("render");
            _parser.RegisteredTags.Remove("include");
            _parser.RegisterParserTag("include", Argument, IncludeAsync);
            _parser.RegisterParserTag("link", Argument, Link);
            _parser.RegisterParserTag("post_url", Argument, Link);
            _parser.RegisterParserBlock("highlight", Argument, HighlightAsync);
        }

        public string Run(string body)
        {
            var source = Protect(Markers().Replace(body, ""));
            var markdown = RenderTemplate(source, _site.FileName, _site.FirstLine) ?? AsWritten(source);
            markdown = MarkdownLinkToMissing().Replace(markdown, m => m.Groups["text"].Value);
            markdown = MissingLink().Replace(markdown, m => _missingLinks[int.Parse(m.Groups["n"].ValueSpan)]);
            markdown = Code().Replace(markdown, m => _code[int.Parse(m.Groups["n"].ValueSpan)]);
            // A filter that cut a marker in two leaves half of it: never shown.
            return StrayMarkers().Replace(markdown, "");
        }

        /// <summary>The rendered text, or null (with a warning) when its Liquid cannot be read or rendered.</summary>
        private string? RenderTemplate(string source, string file, int firstLine)
        {
            if (Parse(source, file, firstLine) is not { } template) return null;
            using var timeout = new CancellationTokenSource(LessonLimits.LiquidTimeout);
            var context = new TemplateContext(Options) { CancellationToken = timeout.Token };
            context.Undefined = (path, _) =>
            {
                Warn(TextTemplates.Fill(LessonWarnings.UnknownLiquidVariable, path));
                return ValueTask.FromResult<FluidValue>(NilValue.Instance);
            };
            context.SetValue("page", PageVariables(_site.Page));
            try
            {
                return template.Render(context, NullEncoder.Default);
            }
            catch (Exception ex) when (ex is not RegexMatchTimeoutException)
            {
                // Fluid's limits (steps, output size, time) end a rendering with an exception.
                Warn(TextTemplates.Fill(LessonWarnings.LiquidTooMuch, file, FirstLineOf(ex.Message)));
                return null;
            }
        }

        private IFluidTemplate? Parse(string source, string file, int firstLine)
        {
            if (UnclosedTag(source) is { } unclosed)
            {
                // Fluid takes seconds over a tag that never closes before a long run of spaces; no tag is this long.
                Warn(TextTemplates.Fill(LessonWarnings.LiquidSyntaxError, file, firstLine + source[..unclosed].Count(c => c == '\n'),
                    $"a tag not closed within {LessonLimits.MaxLiquidTagChars} characters"));
                return null;
            }
            RegisterUnknownTags(source);
            if (_parser.TryParse(source, out var template, out var error)) return template;
            // Fluid says "… at (line:column)" of the text it was given; the author wants the file's line.
            var at = Position().Match(error);
            var line = at.Success ? firstLine + int.Parse(at.Groups["line"].ValueSpan) - 1 : firstLine;
            Warn(TextTemplates.Fill(LessonWarnings.LiquidSyntaxError, file, line, Position().Replace(FirstLineOf(error), "")));
            return null;
        }

        /// <summary>Where a <c>{%</c> starts that has no <c>%}</c> within <see cref="LessonLimits.MaxLiquidTagChars"/>, or null.</summary>
        private static int? UnclosedTag(string source)
        {
            for (var at = source.IndexOf("{%", StringComparison.Ordinal); at >= 0; at = source.IndexOf("{%", at + 2, StringComparison.Ordinal))
            {
                var length = Math.Min(LessonLimits.MaxLiquidTagChars, source.Length - at);
                if (source.IndexOf("%}", at, length, StringComparison.Ordinal) < 0) return at;
            }
            return null;
        }

        /// <summary>
        /// Text whose Liquid could not be read: shown as written, but still split into pages at its heading markers
        /// (which it has whatever else is wrong).
        /// </summary>
        private static string AsWritten(string source) => IncludeHeading().Replace(source, SectionBreak.ToString());

        /// <summary>
        /// A tag Fluid does not know fails the whole parse; each one the text uses is added, shown as written with a
        /// warning. The end tags and branches of the tags it does know are left to them.
        /// </summary>
        private void RegisterUnknownTags(string source)
        {
            foreach (var name in TagName().Matches(source).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal))
            {
                if (_parser.RegisteredTags.ContainsKey(name) || name is "else" or "elsif" or "when") continue;
                if (name.StartsWith("end", StringComparison.Ordinal) && _parser.RegisteredTags.ContainsKey(name[3..])) continue;
                _parser.RegisterParserTag(name, Argument, (argument, output, _, _) =>
                {
                    Warn(TextTemplates.Fill(LessonWarnings.UnsupportedLiquidTag, $"{{% {name} %}}"));
                    output.Write(argument.Length == 0 ? $"{{% {name} %}}" : $"{{% {name} {argument} %}}");
                    return ValueTask.FromResult(Completion.Normal);
                });
            }
        }

        private ValueTask<Completion> Link(string target, IFluidOutput output, TextEncoder encoder, TemplateContext context)
        {
            if (_site.ResolveLink(target) is { } url)
            {
                output.Write(url);
            }
            else
            {
                // Not in the library: a Markdown link around it becomes its text, anything else the target as written.
                output.Write($"{MissingLinkStart}{_missingLinks.Count}{MissingLinkEnd}");
                _missingLinks.Add(target);
            }
            return ValueTask.FromResult(Completion.Normal);
        }

        private static async ValueTask<Completion> HighlightAsync(string argument, IReadOnlyList<Statement> statements,
            IFluidOutput output, TextEncoder encoder, TemplateContext context)
        {
            var code = new StringWriter();
            await using (var body = new TextWriterFluidOutput(code, 1024, leaveOpen: true))
            {
                await statements.RenderStatementsAsync(body, encoder, context);
                await body.FlushAsync();
            }
            // A fence longer than any backtick line inside the code; the language is the first word (after it, options
            // such as linenos).
            var language = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            output.Write($"{HighlightFence}{language}\n{code.ToString().Trim('\n')}\n{HighlightFence}");
            return Completion.Normal;
        }

        private async ValueTask<Completion> IncludeAsync(string argument, IFluidOutput output, TextEncoder encoder,
            TemplateContext context)
        {
            var name = argument.Split((char[])[' ', '\t', '\n'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            if (name == HeadingInclude)
            {
                output.Write(SectionBreak.ToString());
                return Completion.Normal;
            }
            // Bounded both ways: an include that includes itself, and one that includes another twice, ten times over.
            if (_depth >= LessonLimits.MaxIncludeDepth || _included >= LessonLimits.MaxIncludes)
            {
                Warn(TextTemplates.Fill(LessonWarnings.IncludeTooDeep, name, LessonLimits.MaxIncludeDepth, LessonLimits.MaxIncludes));
                return Completion.Normal;
            }
            _included++;
            switch (LoadInclude(name))
            {
                case null:
                    Warn(TextTemplates.Fill(LessonWarnings.IncludeNotFound, name));
                    break;
                case string asWritten:
                    output.Write(asWritten);
                    break;
                case IFluidTemplate template:
                    var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (Match parameter in IncludeParameter().Matches(argument[name.Length..]))
                    {
                        parameters[parameter.Groups["key"].Value] = parameter.Groups["value"].Success
                            ? parameter.Groups["value"].Value
                            : (await VariableAsync(parameter.Groups["variable"].Value, context)).ToStringValue(context);
                    }
                    using (context.EnterScope(ScopeBehavior.Local))
                    {
                        context.SetValue("include", parameters);
                        _depth++;
                        try
                        {
                            await template.RenderAsync(output, encoder, context);
                        }
                        finally
                        {
                            _depth--;
                        }
                    }
                    break;
            }
            return Completion.Normal;
        }

        /// <summary>An include's template, its text as written when its Liquid cannot be read, or null when missing.</summary>
        private object? LoadInclude(string name)
        {
            if (_includes.TryGetValue(name, out var loaded)) return loaded;
            var text = _site.ReadInclude?.Invoke(name);
            if (text is not null)
            {
                var source = Protect(Markers().Replace(text.Replace("\r\n", "\n"), ""));
                loaded = (object?)Parse(source, $"_includes/{name}", 1) ?? AsWritten(source);
            }
            return _includes[name] = loaded;
        }

        /// <summary><c>include.x=page.title</c>: a variable's value, members followed one dot at a time.</summary>
        private static async ValueTask<FluidValue> VariableAsync(string path, TemplateContext context)
        {
            var parts = path.Split('.');
            var value = context.GetValue(parts[0]);
            foreach (var member in parts.Skip(1)) value = await value.GetValueAsync(member, context);
            return value;
        }

        /// <summary>
        /// Code out of Liquid's reach: each fenced block, <c>{% highlight %}</c> body and inline code span is replaced by
        /// a marker (keeping its line breaks, so that Liquid's error positions stay right), and put back after rendering.
        /// </summary>
        private string Protect(string text)
        {
            var lines = text.Split('\n');
            var kept = new List<string>(lines.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                if (JekyllSyntax.FenceOpening().Match(lines[i]) is { Success: true } open)
                {
                    var fence = open.Groups["fence"].Value;
                    var end = i + 1;
                    while (end < lines.Length && !JekyllSyntax.ClosesFence(lines[end], fence)) end++;
                    end = Math.Min(end, lines.Length - 1); // never closed: code to the end, as Markdown has it
                    kept.Add(Mark(string.Join('\n', lines[i..(end + 1)])));
                    i = end;
                }
                else if (HighlightStart().IsMatch(lines[i])
                    && Array.FindIndex(lines, i + 1, l => HighlightEnd().IsMatch(l)) is var end and > 0)
                {
                    // The tags stay for Liquid (the highlight block makes the fence); the code between them is kept.
                    kept.Add(lines[i]);
                    if (end > i + 1) kept.Add(Mark(string.Join('\n', lines[(i + 1)..end])));
                    kept.Add(lines[end]);
                    i = end;
                }
                else
                {
                    kept.Add(lines[i]);
                }
            }
            text = string.Join('\n', kept);

            var spans = Markdig.Markdown.Parse(text, CodeSpans).Descendants<CodeInline>()
                .Select(c => c.Span)
                .Where(s => s.Start >= 0 && s.End < text.Length && text[s.Start] == '`' && text[s.End] == '`')
                .OrderBy(s => s.Start)
                .ToList();
            var result = new StringBuilder(text.Length);
            var from = 0;
            foreach (var span in spans)
            {
                if (span.Start < from) continue;
                result.Append(text, from, span.Start - from).Append(Mark(text.Substring(span.Start, span.Length)));
                from = span.End + 1;
            }
            return result.Append(text, from, text.Length - from).ToString();
        }

        /// <summary>The code's marker; the code is kept without the raw pairs a Jekyll lesson wraps its Liquid in.</summary>
        private string Mark(string code)
        {
            _code.Add(WithoutRawPairs(code));
            return $"{CodeStart}{_code.Count - 1}{new string('\n', code.Count(c => c == '\n'))}{CodeEnd}";
        }

        /// <summary>
        /// Code without its raw pairs: each <c>{% raw %}</c> up to the next <c>{% endraw %}</c>, as Liquid pairs them
        /// (a tag on a line of its own goes with its line). Searched forwards only: a lone tag costs one search.
        /// </summary>
        private static string WithoutRawPairs(string code)
        {
            var result = new StringBuilder(code.Length);
            var from = 0;
            while (RawTag().Match(code, from) is { Success: true } open
                && EndRawTag().Match(code, open.Index + open.Length) is { Success: true } close)
            {
                result.Append(code, from, open.Index - from).Append(code, open.Index + open.Length, close.Index - open.Index - open.Length);
                from = close.Index + close.Length;
            }
            return result.Append(code, from, code.Length - from).ToString();
        }

        private void Warn(string warning)
        {
            if (!_warnings.Contains(warning)) _warnings.Add(warning);
        }
    }

    private const string HighlightFence = "``````````";

    /// <summary><c>page</c>: the front matter, the keys the lab reads and every other one as written.</summary>
    private static Dictionary<string, object?> PageVariables(FrontMatter page)
    {
        var variables = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in page.Metadata) variables[key] = value;
        variables["title"] = page.Title;
        variables["description"] = page.Description;
        variables["chapter"] = page.Chapter;
        variables["date"] = page.Date;
        variables["author"] = page.Author;
        variables["lang"] = page.Language;
        variables["post-headings"] = page.Headings;
        return variables;
    }

    private static string FirstLineOf(string message) => message.Split('\n', 2)[0].Trim();

    [GeneratedRegex("[\uE000-\uE004]", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Markers();

    /// <summary>The markers but <see cref="SectionBreak"/>, which <see cref="JekyllSyntax"/> splits at.</summary>
    [GeneratedRegex("[\uE000-\uE003]", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex StrayMarkers();

    [GeneratedRegex("\uE000(?<n>[0-9]+)\n*\uE001", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Code();

    [GeneratedRegex("\uE002(?<n>[0-9]+)\uE003", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex MissingLink();

    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\(\s*\uE002[0-9]+\uE003\s*\)", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex MarkdownLinkToMissing();

    /// <summary>The names of the tags in a text (one per <c>{%</c>: no backtracking).</summary>
    [GeneratedRegex(@"\{%-?\s*(?<name>[A-Za-z_]\w*)", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex TagName();

    [GeneratedRegex(@"\{%-?\s*include\s+assign-heading\.html\s*-?%\}", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex IncludeHeading();

    [GeneratedRegex(@"^\s*\{%-?\s*highlight\s+[\w+#-]+[^%]*-?%\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex HighlightStart();

    [GeneratedRegex(@"^\s*\{%-?\s*endhighlight\s*-?%\}\s*$", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex HighlightEnd();

    /// <summary>A <c>{% raw %}</c> in code, with its line when it stands alone on one.</summary>
    [GeneratedRegex(@"^[ \t]*\{%-?[ \t]*raw[ \t]*-?%\}[ \t]*\n|\{%-?[ \t]*raw[ \t]*-?%\}", RegexOptions.Multiline, LessonLimits.RegexTimeoutMs)]
    private static partial Regex RawTag();

    /// <summary>A <c>{% endraw %}</c> in code, with its line when it stands alone on one.</summary>
    [GeneratedRegex(@"\n[ \t]*\{%-?[ \t]*endraw[ \t]*-?%\}[ \t]*$|\{%-?[ \t]*endraw[ \t]*-?%\}", RegexOptions.Multiline, LessonLimits.RegexTimeoutMs)]
    private static partial Regex EndRawTag();

    /// <summary><c>key="value"</c>, <c>key='value'</c> or <c>key=variable</c>, as Jekyll's include takes parameters.</summary>
    [GeneratedRegex("""(?<key>[\w-]+)\s*=\s*(?:"(?<value>[^"]*)"|'(?<value>[^']*)'|(?<variable>[\w.-]+))""",
        RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex IncludeParameter();

    [GeneratedRegex(@"\s*at \((?<line>[0-9]+):(?<column>[0-9]+)\)", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Position();
}
