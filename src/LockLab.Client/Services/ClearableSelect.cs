using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace LockLab.Client.Services;

/// <summary>
/// Delete or Backspace on a clearable select empties it. MudBlazor keeps a field's clear button out of the tab order:
/// a text field's text is deleted from the keyboard anyway, but a select's choice could not be undone, so a keyboard
/// user who picked a filter could never go back to "any".
/// </summary>
public static class ClearableSelect
{
    /// <summary>The select's <c>OnKeyDown</c>: on a clearing key it empties the select and keeps the focus on it (it
    /// draws another element when empty, and the focus would otherwise fall back to the page).</summary>
    public static async Task OnKeyAsync<T>(KeyboardEventArgs key, MudSelect<T>? select)
    {
        if (select is null || key.Key is not ("Delete" or "Backspace")) return;
        await select.ClearAsync();
        await select.FocusAsync();
    }
}
