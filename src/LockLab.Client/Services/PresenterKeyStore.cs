using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// Signs this browser in as the presenter and remembers it (localStorage), so a teacher types the key, or opens the
/// start-up link with <c>?key=…</c>, once. The key itself is not kept: it is traded for a signed, expiring session
/// token (<c>POST /api/presenter/session</c>) that the page sends from then on, which others' wrong keys from the same
/// address never lock out.
/// </summary>
public sealed class PresenterKeyStore(IJSRuntime js, LabApi api)
{
    private const string StorageKey = "locklab.presenterSession";

    /// <summary>Where earlier versions kept the raw key: removed on first load, so it does not stay in the browser.</summary>
    private const string OldKeyStorage = "locklab.presenterKey";
    private bool _loaded;

    /// <summary>What the page sends to act as the presenter: the session token (null: not signed in).</summary>
    public string? Credential { get; private set; }

    public async Task<string?> LoadAsync()
    {
        if (_loaded) return Credential;
        // In WebAssembly the read is synchronous: the hub connection that needs the credential then opens in the same
        // turn, while the page is still rendering, rather than after a trip through the browser's task queue.
        if (js is IJSInProcessRuntime inProcess)
        {
            Credential = inProcess.Invoke<string?>("localStorage.getItem", StorageKey);
            inProcess.InvokeVoid("localStorage.removeItem", OldKeyStorage);
        }
        else
        {
            Credential = await js.InvokeAsync<string?>("localStorage.getItem", StorageKey);
            await js.InvokeVoidAsync("localStorage.removeItem", OldKeyStorage);
        }
        _loaded = true;
        return Credential;
    }

    /// <summary>Signs in with <paramref name="key"/> (empty: signs out). Returns why not, or null when signed in.</summary>
    public async Task<string?> SignInAsync(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            await ForgetAsync();
            return null;
        }
        var (session, error) = await api.SignInAsync(key.Trim());
        if (session is null) return error;
        Credential = session.Token;
        _loaded = true;
        await js.InvokeVoidAsync("localStorage.setItem", StorageKey, Credential);
        return null;
    }

    /// <summary>The session ended (expired, or the key changed): the page asks for the key again.</summary>
    public async Task ForgetAsync()
    {
        Credential = null;
        _loaded = true;
        await js.InvokeVoidAsync("localStorage.removeItem", StorageKey);
    }
}
