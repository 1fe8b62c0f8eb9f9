using LockLab.Contracts;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// The id this browser goes by as a student (<see cref="StudentIds"/>): made once, at random, and kept in localStorage,
/// so that the student's runs follow them from tab to tab and across a reload. It identifies nobody.
/// </summary>
public sealed class StudentIdStore(IJSRuntime js)
{
    private const string StorageKey = "locklab.studentId";
    private string? _id;

    /// <summary>
    /// The id, read (or made and kept). In WebAssembly localStorage answers synchronously, so the page has it in the same
    /// turn, as it connects; on the server's circuit it is a round trip to the browser. Only once the page is interactive.
    /// </summary>
    public async ValueTask<string> GetAsync()
    {
        if (_id is not null) return _id;
        var kept = js is IJSInProcessRuntime browser
            ? browser.Invoke<string?>("localStorage.getItem", StorageKey)
            : await js.InvokeAsync<string?>("localStorage.getItem", StorageKey);
        if (StudentIds.IsValid(kept)) return _id = kept!;
        _id = StudentIds.NewId();
        if (js is IJSInProcessRuntime inProcess) inProcess.InvokeVoid("localStorage.setItem", StorageKey, _id);
        else await js.InvokeVoidAsync("localStorage.setItem", StorageKey, _id);
        return _id;
    }
}
