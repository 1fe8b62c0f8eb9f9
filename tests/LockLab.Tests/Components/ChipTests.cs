using Bunit;
using LockLab.Client.Components.Fields;
using MudBlazor;

namespace LockLab.Tests.Components;

/// <summary>The lab's one chip, drawn with MudBlazor's chip classes so that the theme colours and shapes it.</summary>
public class ChipTests
{
    [Theory]
    [InlineData(Variant.Filled, "mud-chip-filled")]
    [InlineData(Variant.Outlined, "mud-chip-outlined")]
    [InlineData(Variant.Text, "mud-chip-text")]
    public async Task Each_variant_takes_mudblazors_class_for_it(Variant variant, string expected)
    {
        await using var ctx = LabComponents.NewContext();
        var chip = ctx.Render<Chip>(p => p
            .Add(c => c.Variant, variant)
            .Add(c => c.Color, Color.Success)
            .AddChildContent("3 pages"));

        var element = chip.Find(".mud-chip");
        Assert.Equal(["mud-chip", expected, "mud-chip-size-small", "mud-chip-color-success"], element.ClassList.ToArray());
        Assert.Equal("3 pages", element.TextContent.Trim());
        Assert.Empty(chip.FindAll("svg")); // no icon unless asked for
    }

    [Fact]
    public async Task An_icon_is_shown_before_the_text_and_hidden_from_screen_readers_and_attributes_reach_the_chip()
    {
        await using var ctx = LabComponents.NewContext();
        var chip = ctx.Render<Chip>(p => p
            .Add(c => c.Icon, Icons.Material.Filled.Sync)
            .AddUnmatched("lang", "zh-CN")
            .AddUnmatched("data-testid", "language-chip")
            .AddChildContent("中文"));

        var element = chip.Find("[data-testid=language-chip]");
        Assert.Equal("zh-CN", element.GetAttribute("lang"));
        Assert.Contains("mud-chip-filled", element.ClassList);
        var icon = element.FirstElementChild!;
        Assert.Equal(("svg", "true"), (icon.TagName.ToLowerInvariant(), icon.GetAttribute("aria-hidden")));
        Assert.Contains("mud-chip-icon", icon.ClassList);
        Assert.Equal("中文", element.QuerySelector(".mud-chip-content")!.TextContent);
    }
}
