using System.Text.Json;
using Microsoft.Playwright;

namespace LockLab.EndToEndTests;

/// <summary>
/// Tab pressed until the focus has gone once round the page (past its end, Chromium's focus leaves the page and the next
/// Tab comes back at its first control). What it found: the stops, the stops whose focus cannot be seen, and the
/// controls it never reached.
/// </summary>
/// <param name="Reached">Every stop, as <c>tag[data-testid] "name"</c>.</param>
/// <param name="Unseen">Stops that draw no outline, on themselves or on what shows them.</param>
/// <param name="Missed">Visible, enabled controls that Tab never stopped on.</param>
/// <param name="Unnamed">Icon buttons (a name but no visible text) that do not show their name while focused: a pointer
/// gets it from the button's title on hover, which the browser does not show to the keyboard.</param>
public sealed record TabWalk(
    IReadOnlyList<string> Reached, IReadOnlyList<string> Unseen, IReadOnlyList<string> Missed, IReadOnlyList<string> Unnamed)
{
    /// <summary>Far more stops than any page of the lab has: a walk that gets here is going round in a trap.</summary>
    private const int MaxPresses = 200;

    /// <summary>
    /// The focused element: a name, whether its focus is drawn, and, for an icon button, whether it shows its name. An outline counts (a box shadow does not: filled
    /// buttons always have one), on the element itself unless it cannot be seen: a switch or a check box is a transparent
    /// native input under MudBlazor's picture, so an outline on one of its visible ancestors counts for it.
    /// </summary>
    private const string FocusedScript = """
        () => {
          const e = document.activeElement;
          if (!e || e === document.body || e === document.documentElement) return null;
          window.__tabStops ??= new Map();
          if (!window.__tabStops.has(e)) window.__tabStops.set(e, window.__tabStops.size + 1);
          const seen = el => { for (let a = el; a; a = a.parentElement) if (parseFloat(getComputedStyle(a).opacity) === 0) return false; return true; };
          const outlined = el => { const s = getComputedStyle(el); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; };
          let drawn = false;
          for (let a = e, up = 0; a && up < 4 && !drawn; a = a.parentElement, up++) drawn = seen(a) && outlined(a);
          const name = e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '')
            + ' "' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30) + '"';
          // An icon button draws its name beside it while focused (app.css, name-on-focus): CSS gives the content quoted.
          const label = e.getAttribute('aria-label');
          const iconOnly = (e.tagName === 'BUTTON' || e.tagName === 'A') && label && !e.innerText.trim();
          const named = !iconOnly || getComputedStyle(e, '::after').content === JSON.stringify(label);
          return { id: window.__tabStops.get(e), name, drawn, named };
        }
        """;

    /// <summary>
    /// The controls on the page now that Tab did not stop on: links, buttons, fields, tabs, switches, disclosure
    /// summaries and whatever else takes focus, when visible and enabled. Left out, as keyboard users reach what they do
    /// in another way: a tab of a tab list one of whose tabs was reached (the arrow keys move between them, ARIA's tab
    /// pattern); MudBlazor's spin buttons and clear buttons, should a field of its own be used again (the arrow keys change
    /// a number, Delete empties a field).
    /// </summary>
    private const string MissedScript = """
        () => {
          const stops = window.__tabStops ?? new Map();
          const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [contenteditable=true], '
            + '[tabindex]:not([tabindex="-1"]), [role=button], [role=link], [role=tab], [role=switch], [role=checkbox], '
            + '[role=radio], [role=combobox], [role=slider], [role=spinbutton], [role=menuitem]';
          const reached = e => stops.has(e) || (e.getAttribute('role') === 'tab'
            && [...(e.closest('[role=tablist]')?.querySelectorAll('[role=tab]') ?? [])].some(t => stops.has(t)));
          return [...document.querySelectorAll(controls)]
            .filter(e => e.checkVisibility({ visibilityProperty: true }) && !e.closest('[inert], [aria-hidden=true]'))
            .filter(e => !e.disabled && !e.closest('[aria-disabled=true], fieldset:disabled'))
            .filter(e => !e.closest('.mud-input-clear-button, .mud-input-numeric-spin'))
            .filter(e => !reached(e))
            .map(e => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '')
              + ' "' + (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 30) + '"');
        }
        """;

    /// <summary>Tabs once round the page as it is now and reports what it found.</summary>
    public static async Task<TabWalk> RoundAsync(IPage page)
    {
        var reached = new List<string>();
        var unseen = new List<string>();
        var unnamed = new List<string>();
        int? first = null;
        var outside = 0;
        for (var press = 0; press < MaxPresses; press++)
        {
            await page.Keyboard.PressAsync("Tab");
            var stop = await page.EvaluateAsync<JsonElement?>(FocusedScript);
            if (stop is not { ValueKind: JsonValueKind.Object } focused)
            {
                // Past the last control the focus leaves the page once, then comes back; twice in a row, it is not coming.
                if (++outside > 2) break;
                continue;
            }
            outside = 0;
            var id = focused.GetProperty("id").GetInt32();
            var name = focused.GetProperty("name").GetString()!;
            if (id == first) break; // round
            first ??= id;
            reached.Add(name);
            if (!focused.GetProperty("drawn").GetBoolean()) unseen.Add(name);
            if (!focused.GetProperty("named").GetBoolean()) unnamed.Add(name);
        }
        Assert.True(first is not null, "Tab never put the focus on anything on the page");
        var missed = await page.EvaluateAsync<string[]>(MissedScript);
        return new TabWalk(reached, unseen, missed, unnamed);
    }
}
