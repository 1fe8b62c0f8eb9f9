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
        services.AddSingleton<RunStartLimiter>();
        services.AddHostedService(sp => sp.GetRequiredService<RunOrchestrator>());
        services.AddHealthChecks().AddReadinessCheck<WorkerHealthCheck>("worker");
        return services;
    }
}
