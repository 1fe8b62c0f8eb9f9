using LockLab.Server.Diagnostics;

namespace LockLab.Server.Runs;

public static class RunsServiceCollectionExtensions
{
    /// <summary>
    /// Everything a run needs: scenarios, validation, the worker program, execution, queueing. What follows a run
    /// (its broadcast, its record, the metrics) is registered by its own feature as an <see cref="IRunObserver"/> or
    /// <see cref="IRunMetrics"/>.
    /// </summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LabInstance>();
        services.AddSingleton<ScenarioCatalog>();
        services.AddSingleton<RunRequestValidator>();
        services.AddSingleton<WorkerExecutable>();
        services.AddSingleton<WorkerPool>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RetainedEvents>();
        services.AddSingleton<RunMemory>();
        services.AddSingleton<RunLookup>();
        services.AddSingleton<RunCommands>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunFollowers>();
        services.AddHostedService<RunWindDown>();
        services.AddSingleton<RunOrchestrator>();
        services.AddSingleton<RunLauncher>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, ct) => new ValueTask(context.HttpContext.RequestServices
                .GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context.HttpContext,
                ProblemDetails =
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many runs",
                    Detail = "This address started too many runs in the last minute; wait a moment."
                },
            }).AsTask());
            o.AddPolicy(RunsEndpoints.RateLimitPolicy, http => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices
                        .GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.LockLabOptions>>()
                        .Value.Limits.RunsPerMinutePerClient,
                    Window = TimeSpan.FromMinutes(1),
                }));
        });
        services.AddHostedService(sp => sp.GetRequiredService<RunOrchestrator>());
        services.AddHealthChecks().AddReadinessCheck<WorkerHealthCheck>("worker");
        return services;
    }
}
