using AngleSharp.Html.Parser;
using ColorCode;
using Ganss.Xss;
using Markdig;

namespace LockLab.Server.Lessons;

/// <summary>
/// Markdown to the HTML a lesson page shows: rendered by Markdig, then sanitized (a lesson's raw HTML never runs
/// in the browser: no scripts, no event handlers, no <c>javascript:</c> links), then dressed: links that open a new
/// tab get <c>rel="noopener"</c>, and code blocks get syntax highlighting and a copy button; then sanitized once more,
/// last, so that nothing the dressing inserted (ColorCode's markup) reaches the page unchecked. Classes are on an
/// allowlist: a lesson must not borrow the lab's own (MudBlazor's <c>mud-overlay</c>, <c>fixed</c>, <c>z-40</c>) to
/// put something over the lab's controls.
/// </summary>
public sealed class LessonHtml
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions() // pipe tables, generic attributes ({target=_blank}), task lists, auto-links, …
        .Build();

    /// <summary>
    /// The classes a lesson's HTML may carry: the code blocks' (<c>language-*</c>, added by Markdig from the fence) and
    /// the ones the dressing adds and the lesson stylesheet styles (LessonPageContent.razor.css).
    /// </summary>
    public static readonly IReadOnlySet<string> AllowedClasses = new HashSet<string>(StringComparer.Ordinal)
    {
        "code-block", "code-copy", "keyword", "string", "comment", "number", "builtinFunction", "preprocessorKeyword",
    };

    private readonly HtmlSanitizer _sanitizer = CreateSanitizer(dressed: false);
    private readonly HtmlSanitizer _dressedSanitizer = CreateSanitizer(dressed: true);
    private readonly HtmlParser _parser = new();
    private readonly Lock _rendering = new();

    public string Render(string markdown)
    {
        var html = Markdig.Markdown.ToHtml(markdown, Markdown);
        lock (_rendering) // the sanitizer and the HTML parser are shared; lessons render one at a time
        {
            return _dressedSanitizer.Sanitize(Dress(_sanitizer.Sanitize(html)));
        }
    }

    /// <summary>
    /// Beyond scripts: no forms or inputs (a lesson must not be able to fake a "presenter key" prompt), no inline
    /// styles and only allowed classes (no overlays over the lab's own controls), no ids (no clashes with the page's).
    /// The <paramref name="dressed"/> pass, last, lets through the copy buttons that the dressing adds: the first pass has
    /// already removed any button of the lesson's own.
    /// </summary>
    private static HtmlSanitizer CreateSanitizer(bool dressed)
    {
        var sanitizer = new HtmlSanitizer();
        foreach (var tag in new[] { "form", "input", "button", "textarea", "select", "option", "optgroup", "fieldset", "label",
            "legend", "datalist", "output" })
        {
            if (dressed && tag == "button") continue;
            sanitizer.AllowedTags.Remove(tag);
        }
        if (dressed)
        {
            sanitizer.AllowedAttributes.Add("type");
            sanitizer.AllowedAttributes.Add("aria-label");
        }
        foreach (var allowed in AllowedClasses) sanitizer.AllowedClasses.Add(allowed);
        sanitizer.RemovingCssClass += (_, e) => e.Cancel = e.CssClass.StartsWith("language-", StringComparison.Ordinal);
        foreach (var attribute in new[] { "style", "id", "name", "action", "formaction", "method" })
        {
            sanitizer.AllowedAttributes.Remove(attribute);
        }
        sanitizer.AllowedAttributes.Add("target");
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedSchemes.Add("mailto");
        return sanitizer;
    }

    private string Dress(string html)
    {
        var document = _parser.ParseDocument($"<body>{html}</body>");
        var body = document.Body!;

        foreach (var link in body.QuerySelectorAll("a[target]"))
        {
            if (link.GetAttribute("target") is "_blank") link.SetAttribute("rel", "noopener noreferrer");
            else link.RemoveAttribute("target"); // only new-tab links make sense inside the lab
        }

        foreach (var code in body.QuerySelectorAll("pre > code").ToList())
        {
            var pre = code.ParentElement!;
            var language = code.ClassList.FirstOrDefault(c => c.StartsWith("language-", StringComparison.Ordinal))?["language-".Length..];
            var text = code.TextContent;
            if (language is not null && Languages.FindById(language) is { } known)
            {
                code.InnerHtml = Highlight(text, known);
            }

            var block = document.CreateElement("div");
            block.ClassList.Add("code-block");
            var copy = document.CreateElement("button");
            copy.SetAttribute("type", "button");
            copy.ClassList.Add("code-copy");
            copy.SetAttribute("aria-label", "Copy code");
            copy.SetAttribute("title", "Copy code");
            copy.TextContent = "Copy";
            // A long line scrolls sideways inside the block: focusable, so that the keyboard can scroll it too.
            pre.SetAttribute("tabindex", "0");
            pre.Replace(block);
            block.AppendChild(copy);
            block.AppendChild(pre);
        }
        return body.InnerHtml;
    }

    /// <summary>ColorCode wraps its output in its own <c>div</c>/<c>pre</c>; keep only the coloured spans.</summary>
    private string Highlight(string code, ILanguage language)
    {
        // A formatter per call: ColorCode keeps its output in the instance, so one shared formatter is not thread-safe.
        var formatted = _parser.ParseDocument($"<body>{new HtmlClassFormatter().GetHtmlString(code.TrimEnd('\n'), language)}</body>");
        // ColorCode's Python grammar marks a lone '.' (as in time.sleep) as a number; keep numbers to digits.
        foreach (var span in formatted.QuerySelectorAll("span.number").Where(s => !s.TextContent.Any(char.IsDigit)).ToList())
        {
            span.Replace(formatted.CreateTextNode(span.TextContent));
        }
        return formatted.QuerySelector("pre")?.InnerHtml ?? System.Net.WebUtility.HtmlEncode(code);
    }
}
