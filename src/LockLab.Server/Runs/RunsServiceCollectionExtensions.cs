namespace LockLab.Server.Runs;

public static class RunsServiceCollectionExtensions
{
    /// <summary>Everything a run needs: scenarios, validation, the worker program, execution, queueing, broadcasting.</summary>
    public static IServiceCollection AddRuns(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ScenarioCatalog>();
        services.AddSingleton<RunRequestValidator>();
        services.AddSingleton<WorkerExecutable>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<RunBroadcaster>();
        services.AddSingleton<RunOrchestrator>();
        services.AddHostedService(sp => sp.GetRequiredService<RunOrchestrator>());
        services.AddHealthChecks().AddCheck<WorkerHealthCheck>("worker");
        return services;
    }
}
