using LockLab.Server.Configuration;
using LockLab.Server.Diagnostics;
using LockLab.Server.Runs;
using Microsoft.Extensions.Options;

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
        services.AddSingleton<IStoredRuns>(sp => sp.GetRequiredService<RunHistory>());
        services.AddSingleton<RunRecorder>();
        services.AddSingleton<ExportTurns>(); // exports take turns at the cores, leaving room for live runs
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<RunRecorder>());
        services.AddScoped<LockLab.Client.Services.IRunArchive, StoreRunArchive>();
        services.AddHealthChecks().AddReadinessCheck<HistoryHealthCheck>("history");
        return services;
    }

    /// <summary>
    /// Makes sure the SQLite history's folder (<c>LockLab:DataPath</c>) exists and can be written, creating it if
    /// needed. When it cannot be, logs one line that names the folder and the reason and returns false: the lab
    /// should not start half-working (runs streaming, none kept) over a mistyped or forbidden path.
    /// </summary>
    public static bool PrepareHistoryFolder(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<LockLabOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.Database)) return true; // PostgreSQL: no folder of ours
        var folder = options.DataFolder(app.Environment);
        try
        {
            SqliteHistoryDialect.EnsureWritableFolder(folder);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            app.Logger.LogCritical(
                "Cannot keep the run history in {DataPath} (LockLab:DataPath): {Reason} Set LockLab:DataPath to a " +
                    "folder the lab may create and write, e.g. --LockLab:DataPath=/var/lib/locklab",
                folder, ex.Message);
            return false;
        }
    }
}
