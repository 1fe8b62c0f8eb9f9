using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// Keyboard shortcuts for stepping through a lesson (→ / PageDown / Space, ← / PageUp, Home, End, ?) and the copy
/// buttons on code blocks, through the small <c>js/lesson.js</c> module.
/// </summary>
public sealed class LessonKeyboard(IJSRuntime js) : IAsyncDisposable
{
    private IJSObjectReference? _module;
    private IJSObjectReference? _handle;
    private DotNetObjectReference<LessonKeyboard>? _self;
    private Func<string, Task>? _onShortcut;

    public static IReadOnlyList<(string Keys, string Action)> Shortcuts { get; } =
    [
        ("→  PageDown  Space", "next page"),
        ("←  PageUp", "previous page"),
        ("Home", "first page"),
        ("End", "last page"),
        ("?", "show these shortcuts"),
    ];

    public static IReadOnlyList<(string Keys, string Action)> ProjectionShortcuts { get; } =
    [
        ("+  −", "larger or smaller text"),
        ("B", "blank the screen (again: back)"),
        ("F", "full screen"),
        ("H", "high contrast"),
    ];

    /// <param name="projection">Also the projector's keys: + / − text size, B blank, F full screen, H high contrast.</param>
    public async Task AttachAsync(Func<string, Task> onShortcut, bool projection = false)
    {
        _onShortcut = onShortcut;
        if (_handle is not null) return;
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", "./js/lesson.js");
        _self = DotNetObjectReference.Create(this);
        _handle = await _module.InvokeAsync<IJSObjectReference>("attach", _self, projection);
    }

    /// <summary>The keys work from now on (pages say so in <c>data-keys</c>: on a circuit this follows a round trip).</summary>
    public bool IsAttached => _handle is not null;

    [JSInvokable]
    public Task OnShortcut(string action) => _onShortcut?.Invoke(action) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_handle is not null)
            {
                await _handle.InvokeVoidAsync("dispose");
                await _handle.DisposeAsync();
            }
            if (_module is not null) await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
        _self?.Dispose();
    }
}
