using LockLab.Server.Operations;

namespace LockLab.Server.History;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>
    /// Run history in SQLite under <c>LockLab:DataPath</c>, or in PostgreSQL when <c>LockLab:Database</c> is set: the
    /// recorder keeps it, the endpoints read it.
    /// </summary>
    public static IServiceCollection AddRunHistory(this IServiceCollection services)
    {
        services.AddSingleton<RunHistory>();
        services.AddSingleton<RunRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<RunRecorder>());
        services.AddScoped<LockLab.Client.Services.IRunArchive, StoreRunArchive>();
        services.AddHealthChecks().AddReadinessCheck<HistoryHealthCheck>("history");
        return services;
    }
}
