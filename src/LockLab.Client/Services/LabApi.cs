using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// Reads the lab's REST API from the browser (<c>js/api.js</c>, the browser's own fetch). The page reads JSON from
/// a handful of GET endpoints; HttpClient would do that too, with its assemblies (≈ 60 KB compressed) to
/// download before any page runs (docs/benchmarks.md, "page").
/// </summary>
public sealed class LabApi(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    /// <summary>GETs <paramref name="path"/> (relative to the page's base address) and parses it.</summary>
    /// <param name="missing">Statuses that mean "there is no such thing": answered with null.</param>
    /// <exception cref="JSException">Any other unsuccessful status, or no answer.</exception>
    public async Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, params int[] missing)
    {
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/api.js").AsTask();
        var json = await (await _module).InvokeAsync<string?>("get", path, missing);
        return json is null ? default : JsonSerializer.Deserialize(json, type);
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is null) return;
        try
        {
            await (await _module).DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
        }
    }
}
