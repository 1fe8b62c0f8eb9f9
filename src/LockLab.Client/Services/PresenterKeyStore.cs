using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// Remembers the presenter key in this browser (localStorage), so a teacher types it, or opens the start-up
/// link with <c>?key=…</c>, once.
/// </summary>
public sealed class PresenterKeyStore(IJSRuntime js)
{
    private const string StorageKey = "locklab.presenterKey";
    private bool _loaded;

    public string? Key { get; private set; }

    public async Task<string?> LoadAsync()
    {
        if (_loaded) return Key;
        // In WebAssembly the read is synchronous: the hub connection that needs the key then opens in the same
        // turn, while the page is still rendering, rather than after a trip through the browser's task queue.
        Key = js is IJSInProcessRuntime inProcess
            ? inProcess.Invoke<string?>("localStorage.getItem", StorageKey)
            : await js.InvokeAsync<string?>("localStorage.getItem", StorageKey);
        _loaded = true;
        return Key;
    }

    public async Task SaveAsync(string? key)
    {
        Key = string.IsNullOrWhiteSpace(key) ? null : key.Trim();
        _loaded = true;
        if (Key is null) await js.InvokeVoidAsync("localStorage.removeItem", StorageKey);
        else await js.InvokeVoidAsync("localStorage.setItem", StorageKey, Key);
    }
}
