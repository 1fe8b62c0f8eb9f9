using LockLab.Contracts;

namespace LockLab.Tests.Contracts;

/// <summary>A sentence the server wrote is read back into the template it was written from, with the same values.</summary>
public class TextTemplatesTests
{
    public static TheoryData<string> Templates => [.. ServerTexts.All.Where(TextTemplates.HasHoles)];

    /// <summary>
    /// Every server text filled with values (the last with words, brackets and a full stop) is read back as itself: no
    /// other template takes it, and so no page shows a sentence translated with the wrong holes. (A value with ": " may
    /// be read otherwise where the template goes on with ": " — an exit code never has one.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_server_template_reads_back_to_itself_and_its_values(string template)
    {
        var holes = Enumerable.Range(0, 10).Count(i => template.Contains($"{{{i}}}"));
        string[] values = [.. Enumerable.Range(0, holes).Select(i => i == holes - 1 ? $"v{i} with (a) tail." : $"v{i}")];

        var (read, filled) = ServerTexts.Match(TextTemplates.Fill(template, values))!.Value;

        Assert.Equal(template, read);
        Assert.Equal(values, filled);
    }

    [Fact]
    public void A_server_text_without_holes_is_itself_and_any_other_text_none()
    {
        Assert.Equal(RunErrors.StoppedByPresenter, ServerTexts.Match(RunErrors.StoppedByPresenter)!.Value.Template);
        Assert.Empty(ServerTexts.Match(RunErrors.StoppedByPresenter)!.Value.Values);
        Assert.Equal(LessonWarnings.LabNotAMap, ServerTexts.Match(LessonWarnings.LabNotAMap)!.Value.Template);
        Assert.Null(ServerTexts.Match("Connection refused"));
        Assert.Null(ServerTexts.Match(RunErrors.StoppedByPresenter + " And more."));
    }

    [Fact]
    public void The_most_specific_template_wins()
    {
        // "Must be between {0} and {1}." reads this too, with "8; got 9" for {1}.
        var templates = new TextTemplates(["Must be between {0} and {1}.", "Must be between {0} and {1}; got {2}."]);

        var (longer, three) = templates.Match("Must be between 1 and 8; got 9.")!.Value;
        var (shorter, two) = templates.Match("Must be between 1 and 8.")!.Value;

        Assert.Equal(("Must be between {0} and {1}; got {2}.", "1|8|9"), (longer, string.Join('|', three)));
        Assert.Equal(("Must be between {0} and {1}.", "1|8"), (shorter, string.Join('|', two)));
    }

    [Fact]
    public void A_dying_worker_is_read_with_what_it_wrote_whole()
    {
        var said = "Unhandled exception: code 3. Aborted.";
        var text = TextTemplates.Fill(RunErrors.WorkerDiedSaying, "p2", 4242, 134, said);

        var (template, values) = ServerTexts.Match(text)!.Value;

        Assert.Equal(RunErrors.WorkerDiedSaying, template);
        Assert.Equal(["p2", "4242", "134", said], values);
    }
}
