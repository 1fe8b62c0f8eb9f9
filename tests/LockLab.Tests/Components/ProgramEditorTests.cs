using Bunit;
using LockLab.Client.Components.Live;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;

namespace LockLab.Tests.Components;

/// <summary>
/// The program of a page whose experiment is one, edited on the page and run as edited: the class tries the other lock
/// order there and then, and can always go back to the lesson's own program.
/// </summary>
public class ProgramEditorTests
{
    private const string PageProgram = "shared x\nlock a\nlock b\nprocess p1:\n  acquire a\n  acquire b\n  add x 1\n  release b\n  release a\n";

    [Fact]
    public async Task The_editor_starts_from_the_pages_program_and_an_edit_is_what_the_run_sends()
    {
        await using var ctx = LabComponents.NewContext();
        var settings = new ExperimentSettings();
        var editor = ctx.Render<ProgramEditor>(p => p
            .Add(c => c.Settings, settings)
            .Add(c => c.Program, ProgramSource.FromText(PageProgram)));

        var text = editor.Find("textarea[data-testid=program-text]");
        Assert.Equal(PageProgram, text.GetAttribute("value"));
        Assert.Equal("false", text.GetAttribute("spellcheck"));
        // Its label and its help are the field's: a screen reader announces both.
        Assert.Equal("Program", editor.Find($"label[for='{text.Id}']").TextContent);
        Assert.Contains("One step a line", editor.Find($"#{text.GetAttribute("aria-describedby")}").TextContent);
        Assert.Empty(editor.FindAll("[data-testid=program-reset]")); // nothing to go back from

        var reordered = PageProgram.Replace("acquire a\n  acquire b", "acquire b\n  acquire a");
        text.Input(reordered);
        var page = new RunRequest { Program = ProgramSource.FromText(PageProgram), StartMode = StartMode.Simultaneous };
        Assert.Equal(reordered, settings.Apply(page, null).Program!.Text);

        // Back to the lesson's program: the field shows it again and a run sends it.
        editor.Find("[data-testid=program-reset]").Click();
        Assert.Null(settings.ProgramText);
        Assert.Equal(PageProgram, editor.Find("textarea[data-testid=program-text]").GetAttribute("value"));
        Assert.Same(page.Program, settings.Apply(page, null).Program);
    }

    [Fact]
    public async Task Typed_back_to_the_pages_program_it_is_no_edit_and_a_page_change_forgets_an_edit()
    {
        await using var ctx = LabComponents.NewContext();
        var settings = new ExperimentSettings();
        var told = 0;
        var editor = ctx.Render<ProgramEditor>(p => p
            .Add(c => c.Settings, settings)
            .Add(c => c.Program, ProgramSource.FromText(PageProgram))
            .Add(c => c.OnEditedChanged, () => told++));

        editor.Find("textarea").Input(PageProgram + "  print x\n");
        Assert.NotNull(settings.ProgramText);
        editor.Find("textarea").Input(PageProgram + "  print x\n  print x\n");
        // The page around it is told when the program becomes edited, not at every key.
        Assert.Equal(1, told);
        editor.Find("textarea").Input(PageProgram);
        Assert.Null(settings.ProgramText);
        Assert.Equal(2, told);

        editor.Find("textarea").Input("process p1:\n  sleep 1\n");
        settings.Reset(new RunRequest { Program = ProgramSource.FromText("process p1:\n  sleep 2\n") });
        Assert.Null(settings.ProgramText);
    }

    [Fact]
    public async Task A_program_given_as_a_model_is_shown_as_its_text()
    {
        await using var ctx = LabComponents.NewContext();
        var model = ProgramText.Parse(PageProgram, ProgramLimits.Default).Program!;
        var editor = ctx.Render<ProgramEditor>(p => p
            .Add(c => c.Settings, new ExperimentSettings())
            .Add(c => c.Program, ProgramSource.FromProgram(model)));

        Assert.Equal(ProgramText.Format(model), editor.Find("textarea").GetAttribute("value"));
        Assert.Contains("acquire a", editor.Find("textarea").GetAttribute("value"));
    }
}
