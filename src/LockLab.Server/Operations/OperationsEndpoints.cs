using System.Text.Json;
using LockLab.Server.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LockLab.Server.Operations;

/// <summary>
/// What machines ask: <c>/healthz</c> (liveness), <c>/readyz</c> (readiness), <c>/metrics</c> (Prometheus, when
/// <c>LockLab:ServeMetrics</c> is on). Kept out of
/// the request metrics and, on success, out of the Information-level request log: they are asked every few seconds.
/// </summary>
public static class OperationsEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string MetricsPath = "/metrics";

    public static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments(LivenessPath) || path.StartsWithSegments(ReadinessPath) || path.StartsWithSegments(MetricsPath);

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthChecks.Live),
            ResponseWriter = WriteJsonAsync,
        }).DisableHttpMetrics();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthChecks.Ready),
            ResponseWriter = WriteJsonAsync,
        }).DisableHttpMetrics();
        var options = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.LockLabOptions>>().Value;
        if (options.ServeMetrics) app.MapPrometheusScrapingEndpoint(MetricsPath).DisableHttpMetrics();
        return app;
    }

    /// <summary>
    /// The overall status (200 for Healthy or Degraded, 503 for Unhealthy) and each check's status and why, so that
    /// whoever reads a failing probe sees which dependency failed without opening the server's log:
    /// <c>{"status":"Unhealthy","durationMs":1.2,"checks":{"history":{"status":"Unhealthy","description":"…","durationMs":0.8}}}</c>.
    /// </summary>
    private static async Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description ?? entry.Exception?.Message);
            json.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 3));
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
