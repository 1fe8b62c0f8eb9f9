using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace LockLab.Client.Layout;

/// <summary>
/// Marks the page's body once it is interactive: <c>data-interactive</c>, and <c>data-runs-in</c> with where it runs
/// ("Server" on a browser's first visit, "WebAssembly" once the browser holds the client). Tests wait for it, js/start.js
/// fetches the client into the cache after it, and curious teachers can read it in the browser's developer tools.
/// </summary>
public static class InteractivePage
{
    public static async Task MarkAsync(IJSRuntime js, RendererInfo renderer)
    {
        await js.InvokeVoidAsync("document.body.setAttribute", "data-runs-in", renderer.Name);
        await js.InvokeVoidAsync("document.body.setAttribute", "data-interactive", "true");
    }
}
