using System.Text;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace LockLab.EndToEndTests;

/// <summary>
/// axe-core's WCAG 2.1 A and AA rules on the page as it is now. A serious or critical finding fails the test with what
/// axe found (rule, impact, the elements), so the message alone says what to mend; moderate and minor ones are left to
/// review. The page must come from <c>NewPageAsync(bypassCsp: true)</c>: the lab's content security policy blocks the
/// injected script otherwise.
/// </summary>
public static class AxeScan
{
    private static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <summary>Scans the page; returns the serious and critical findings as readable lines (none: empty).</summary>
    public static async Task<IReadOnlyList<string>> SeriousFindingsAsync(IPage page, string state)
    {
        await SettleAsync(page);
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. Tags] },
            ResultTypes = [ResultType.Violations],
        });
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => Describe(state, v))
            .ToList();
    }

    /// <summary>Fails with every serious or critical finding of every state scanned.</summary>
    public static void AssertNone(IEnumerable<string> findings)
    {
        var all = findings.ToList();
        if (all.Count > 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"{all.Count} serious or critical accessibility finding(s):\n{string.Join("\n", all)}");
        }
    }

    private static string Describe(string state, AxeResultItem violation)
    {
        var text = new StringBuilder($"[{state}] {violation.Id} ({violation.Impact}): {violation.Help}");
        foreach (var node in violation.Nodes.Take(8))
        {
            // Why it failed: axe's check messages (e.g. "insufficient color contrast of 3.2 (#fff on #9fa8da)").
            var why = node.Any.Concat(node.All).Concat(node.None).Select(c => c.Message).Where(m => m is { Length: > 0 }).Distinct();
            text.Append($"\n    {node.Target} — {string.Join("; ", why)}");
        }
        if (violation.Nodes.Length > 8) text.Append($"\n    … and {violation.Nodes.Length - 8} more");
        return text.ToString();
    }

    /// <summary>
    /// Waits until no CSS transition is in flight (a theme switch fades colours): a contrast measured mid-fade would be
    /// neither theme's. Endless animations (a running indicator) are not transitions and do not hold it up.
    /// </summary>
    private static Task SettleAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.getAnimations().every(a => !(a instanceof CSSTransition))");

    /// <summary>Switches the lab's theme with the app bar's button and waits until the page shows it.</summary>
    public static async Task SwitchThemeAsync(IPage page, bool dark)
    {
        var toggle = page.GetByTestId("theme-toggle");
        if (await toggle.GetAttributeAsync("aria-pressed") != (dark ? "true" : "false")) await toggle.ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(toggle).ToHaveAttributeAsync("aria-pressed", dark ? "true" : "false");
    }

    /// <summary>Scans the page in the light theme and in the dark one (the app bar's switch), ending in light.</summary>
    public static async Task<IReadOnlyList<string>> BothThemesAsync(IPage page, string state)
    {
        await SwitchThemeAsync(page, dark: false);
        var findings = new List<string>(await SeriousFindingsAsync(page, $"{state}, light"));
        await SwitchThemeAsync(page, dark: true);
        findings.AddRange(await SeriousFindingsAsync(page, $"{state}, dark"));
        await SwitchThemeAsync(page, dark: false);
        return findings;
    }
}
