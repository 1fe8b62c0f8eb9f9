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
    /// The id, read (or made and kept) at once: in WebAssembly, localStorage answers synchronously, so a page has it
    /// before its first render, when it connects. Null while prerendering on the server, which has no browser storage.
    /// </summary>
    public string? Get()
    {
        if (_id is not null || js is not IJSInProcessRuntime browser) return _id;
        var kept = browser.Invoke<string?>("localStorage.getItem", StorageKey);
        if (StudentIds.IsValid(kept)) return _id = kept;
        _id = StudentIds.NewId();
        browser.InvokeVoid("localStorage.setItem", StorageKey, _id);
        return _id;
    }
}
