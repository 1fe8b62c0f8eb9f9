using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using LockLab.Client.Resources;
using LockLab.Contracts;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// Reads the lab's REST API from the browser (<c>js/api.js</c>, the browser's own fetch). The page reads JSON from
/// a handful of GET endpoints; HttpClient would do that too, with its assemblies (≈ 60 KB compressed) to
/// download before any page runs (docs/benchmarks.md, "page").
/// </summary>
public sealed class LabApi(IJSRuntime js, IStringLocalizer<Strings> L) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    /// <summary>GETs <paramref name="path"/> (relative to the page's base address) and parses it.</summary>
    /// <param name="missing">Statuses that mean "there is no such thing": answered with null.</param>
    /// <exception cref="JSException">Any other unsuccessful status, or no answer.</exception>
    public Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, params int[] missing) => GetAsync(path, type, null, missing);

    /// <param name="credential">The presenter's session (or key), for what only the presenter may read.</param>
    public async Task<T?> GetAsync<T>(string path, JsonTypeInfo<T> type, string? credential, params int[] missing)
    {
        var json = await (await Module()).InvokeAsync<string?>("get", path, missing, credential);
        return json is null ? default : JsonSerializer.Deserialize(json, type);
    }

    /// <summary>
    /// Trades the presenter key for a session token (<c>POST /api/presenter/session</c>): the session, or the server's
    /// own words on why not (wrong key, too many wrong keys from this address).
    /// </summary>
    public async Task<(PresenterSession? Session, string? Error)> SignInAsync(string key)
    {
        using var answer = JsonDocument.Parse(await (await Module()).InvokeAsync<string>("signIn", key));
        var status = answer.RootElement.GetProperty("status").GetInt32();
        var body = answer.RootElement.GetProperty("body").GetString() ?? "";
        if (status == 201) return (JsonSerializer.Deserialize(body, ClientJsonContext.Default.PresenterSession), null);
        return (null, ProblemDetail(body) ?? L["Signing in failed ({0}).", status]);
    }

    private static string? ProblemDetail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/api.js").AsTask();

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
