using Bunit;
using LockLab.Client.Components.Fields;

namespace LockLab.Tests.Components;

/// <summary>The trail at the top of a lesson or a stored run: links up, and the page itself as text marked current.</summary>
public class BreadcrumbsTests
{
    [Fact]
    public async Task The_pages_above_are_links_and_this_page_is_text_marked_current()
    {
        await using var ctx = LabComponents.NewContext();
        var trail = ctx.Render<Breadcrumbs>(p => p
            .Add(c => c.Above, [("History", "/history")])
            .Add(c => c.Current, "Replay"));

        Assert.Equal("Breadcrumb", trail.Find("nav").GetAttribute("aria-label"));
        var link = trail.Find(".mud-breadcrumbs a");
        Assert.Equal(("History", "/history"), (link.TextContent, link.GetAttribute("href")));
        var current = trail.Find("[aria-current=page]");
        Assert.Equal("span", current.TagName.ToLowerInvariant()); // not a link: no tab stop that goes nowhere
        Assert.Equal("Replay", current.TextContent);
        Assert.Single(trail.FindAll("a"));
    }
}
