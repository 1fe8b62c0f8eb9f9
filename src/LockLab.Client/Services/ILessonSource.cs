using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;

namespace LockLab.Client.Services;

/// <summary>Where pages get lessons: straight from the library while the server prerenders, over HTTP in the browser.</summary>
public interface ILessonSource
{
    Task<IReadOnlyList<LessonSummary>> ListAsync();
    Task<LessonDocument?> GetAsync(string slug);
}

/// <summary>The browser side of <see cref="ILessonSource"/>: <c>GET /api/lessons</c>.</summary>
public sealed class HttpLessonSource(HttpClient http) : ILessonSource
{
    public async Task<IReadOnlyList<LessonSummary>> ListAsync() =>
        await http.GetFromJsonAsync("api/lessons", ContractsJsonContext.Default.LessonSummaryArray) ?? [];

    public async Task<LessonDocument?> GetAsync(string slug)
    {
        using var response = await http.GetAsync($"api/lessons/{Uri.EscapeDataString(slug)}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.LessonDocument);
    }
}
