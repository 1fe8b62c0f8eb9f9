using Bunit;
using Bunit.TestDoubles;
using LockLab.Client.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Components;

/// <summary>
/// The app bar's language switch, ARIA's menu button: it opens on the page's language, the keys move through it, and the
/// choice reloads the page through <c>/culture</c>, which remembers it.
/// </summary>
public class LanguageMenuTests
{
    [Fact]
    public async Task The_menu_opens_on_the_pages_language_and_names_each_language_in_itself()
    {
        await using var ctx = LabComponents.NewContext();
        var menu = ctx.Render<LanguageMenu>();
        var button = menu.Find("button[aria-haspopup=menu]");
        Assert.Equal("false", button.GetAttribute("aria-expanded"));
        Assert.Empty(menu.FindAll("[role=menuitemradio]"));

        button.Click();

        button = menu.Find("button[aria-haspopup=menu]");
        Assert.Equal("true", button.GetAttribute("aria-expanded"));
        var list = menu.Find("[role=menu]");
        Assert.Equal(list.Id, button.GetAttribute("aria-controls"));
        var items = menu.FindAll("[role=menuitemradio]");
        Assert.Equal(["language-en", "language-zh-CN"], items.Select(i => i.GetAttribute("data-testid")));
        // The page's language (English here) is the checked one; its tick is for the eye, a screen reader hears "checked".
        Assert.Equal(["true", "false"], items.Select(i => i.GetAttribute("aria-checked")));
        Assert.Equal("English ✓", items[0].TextContent.Trim());
        Assert.Equal("true", items[0].QuerySelector("span[aria-hidden=true]")!.GetAttribute("aria-hidden"));
        Assert.Equal("zh-CN", items[1].QuerySelector("span")!.GetAttribute("lang"));
        Assert.Equal("中文", items[1].TextContent.Trim());
        // The focus goes to the page's language, so that the arrow keys start from there.
        var focused = ctx.JSInterop.VerifyFocusAsyncInvoke();
        Assert.Equal(items[0].GetAttribute("blazor:elementReference"), focused.Arguments[0] is ElementReference e ? e.Id : null);
    }

    [Fact]
    public async Task The_keys_choose_a_language_and_the_page_reloads_in_it()
    {
        await using var ctx = LabComponents.NewContext();
        var navigation = ctx.Services.GetRequiredService<BunitNavigationManager>();
        navigation.NavigateTo("/lessons/process-locks/3?room=k7qx");
        var menu = ctx.Render<LanguageMenu>();
        menu.Find("button[aria-haspopup=menu]").Click();

        menu.Find("[role=menu]").KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        menu.Find("[role=menu]").KeyDown(new KeyboardEventArgs { Key = "Enter" });

        var reload = navigation.History.First();
        Assert.Equal("/culture?set=zh-CN&return=%2Flessons%2Fprocess-locks%2F3%3Froom%3Dk7qx", reload.Uri);
        Assert.True(reload.Options.ForceLoad);
    }

    [Fact]
    public async Task Escape_a_click_beside_it_or_Tab_close_the_menu_without_choosing()
    {
        await using var ctx = LabComponents.NewContext();
        var navigation = ctx.Services.GetRequiredService<BunitNavigationManager>();
        var menu = ctx.Render<LanguageMenu>();
        var before = navigation.History.Count;

        menu.Find("button[aria-haspopup=menu]").Click();
        menu.Find("[role=menu]").KeyDown(new KeyboardEventArgs { Key = "Escape" });
        Assert.Empty(menu.FindAll("[role=menu]"));
        Assert.Equal("false", menu.Find("button[aria-haspopup=menu]").GetAttribute("aria-expanded"));

        menu.Find("button[aria-haspopup=menu]").Click();
        menu.Find(".language-menu-backdrop").Click();
        Assert.Empty(menu.FindAll("[role=menu]"));

        menu.Find("button[aria-haspopup=menu]").Click();
        menu.Find("[role=menu]").KeyDown(new KeyboardEventArgs { Key = "Tab" });
        Assert.Empty(menu.FindAll("[role=menu]"));

        Assert.Equal(before, navigation.History.Count); // nothing chosen, no reload
    }
}
