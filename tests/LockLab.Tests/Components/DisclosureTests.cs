using Bunit;
using LockLab.Client.Components.Fields;
using Microsoft.AspNetCore.Components;

namespace LockLab.Tests.Components;

/// <summary>The live panel's "Change the experiment": a button that says whether its section is open, the section drawn only then.</summary>
public class DisclosureTests
{
    [Fact]
    public async Task The_button_opens_and_closes_its_section_and_says_which()
    {
        await using var ctx = LabComponents.NewContext();
        var drawn = 0;
        var disclosure = ctx.Render<Disclosure>(p => p
            .Add(c => c.Title, "Change the experiment")
            .Add(c => c.ChildContent, (RenderFragment)(b => { drawn++; b.AddMarkupContent(0, "<p class=\"inside\">the form</p>"); }))
            .AddUnmatched("data-testid", "settings"));

        var button = disclosure.Find("[data-testid=settings] button");
        Assert.Equal("Change the experiment", button.TextContent.Trim());
        Assert.Equal("false", button.GetAttribute("aria-expanded"));
        Assert.Null(button.GetAttribute("aria-controls"));
        Assert.Empty(disclosure.FindAll(".inside"));
        Assert.Equal(0, drawn); // closed, its content costs nothing

        button.Click();
        button = disclosure.Find("[data-testid=settings] button");
        Assert.Equal("true", button.GetAttribute("aria-expanded"));
        var section = disclosure.Find(".mud-expand-panel-content");
        Assert.Equal(section.Id, button.GetAttribute("aria-controls"));
        Assert.Equal("the form", section.TextContent);

        button.Click();
        Assert.Equal("false", disclosure.Find("[data-testid=settings] button").GetAttribute("aria-expanded"));
        Assert.Empty(disclosure.FindAll(".inside"));
    }
}
