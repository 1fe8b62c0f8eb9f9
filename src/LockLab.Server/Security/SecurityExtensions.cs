using LockLab.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Security;

public static class SecurityExtensions
{
    public static IServiceCollection AddPresenterKeyAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<PresenterKey>();
        services.AddSingleton<KeyAttemptLimiter>();
        services.AddSingleton<PresenterSessions>();
        services.AddDataProtection().SetApplicationName("LockLab");
        KeepDataProtectionKeysInDataFolder(services);
        services.AddAuthentication(PresenterKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, PresenterKeyAuthenticationHandler>(
                PresenterKeyAuthenticationHandler.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(PresenterKeyAuthenticationHandler.Policy, p => p.RequireRole(PresenterKeyAuthenticationHandler.Role));
        return services;
    }

    /// <summary>
    /// The keys that sign presenter sessions live in <c>{DataPath}/data-protection-keys</c> (owner only), beside the
    /// history: a lab restarted, or a container recreated on the same volume, keeps its presenters signed in (with a
    /// configured key; a generated one is new at each start, and sessions name the key they were issued for). The
    /// framework's default, a folder under <c>$HOME</c>, is lost with a container and shared by every app of the user.
    /// With Redis, ScaleOut keeps them there instead, for every instance.
    /// </summary>
    private static void KeepDataProtectionKeysInDataFolder(IServiceCollection services) =>
        services.AddOptions<KeyManagementOptions>().PostConfigure<IOptions<LockLabOptions>, IHostEnvironment, ILoggerFactory>(
            (keys, lab, environment, logs) =>
            {
                if (keys.XmlRepository is not null) return; // Redis (ScaleOut)
                var folder = Path.Combine(lab.Value.DataFolder(environment), "data-protection-keys");
                try
                {
                    if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
                    else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A data folder that cannot be made stops the start with one line of its own (History's check,
                    // which runs after these options are first read).
                }
                keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), logs);
            });

    /// <summary>
    /// Takes the presenter key at start-up rather than at the first request that needs it: a configured key weaker than
    /// a generated one (<see cref="PresenterKey.MinimumBits"/>) stops the lab with one line saying so.
    /// </summary>
    public static bool CheckPresenterKey(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<PresenterKey>();
            return true;
        }
        catch (OptionsValidationException weak)
        {
            app.Logger.LogCritical("{Reason}", weak.Message);
            return false;
        }
    }

    /// <summary>
    /// When the key was generated, say so once, with a link that signs a browser in (the page trades the key for a
    /// presenter session and removes it from the address bar).
    /// </summary>
    /// <remarks>
    /// The key itself never goes through the logging pipeline (a log collector would keep it): it is printed on the
    /// console for the person who started the lab (not in the JSON log format, whose every line is a log event) and
    /// written to <c>{DataPath}/presenter-key</c>, readable by the lab's own user only.
    /// </remarks>
    public static void LogPresenterKeyOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var key = app.Services.GetRequiredService<PresenterKey>();
            if (!key.IsGenerated) return;
            var options = app.Services.GetRequiredService<IOptions<LockLabOptions>>().Value;
            // The HTTPS address when there is one: the link carries the key.
            var address = app.Urls.OrderByDescending(u => u.StartsWith("https://", StringComparison.Ordinal)).FirstOrDefault()
                ?? "http://localhost:5080";
            var link = $"{address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost")}/?key={key.Value}";
            var file = SaveForOwner(Path.Combine(options.DataFolder(app.Environment), "presenter-key"), key.Value, app.Logger);
            app.Logger.LogWarning(
                "No LockLab:PresenterKey configured; generated one for this start (on the console, not in the log; in {KeyFile})",
                file ?? "no file: it could not be written");
            if (options.LogFormat != "json") Console.Out.WriteLine($"Presenter key: {key.Value}   Sign-in link: {link}");
        });
    }

    /// <summary>Writes the key to a file only its owner may read; returns its path, or null (logged) when it cannot.</summary>
    private static string? SaveForOwner(string path, string key, ILogger logger)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(path, create))
            using (var writer = new StreamWriter(stream))
            {
                writer.WriteLine(key);
            }
            // An older file keeps the mode it was created with: set it again.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not write the generated presenter key to {KeyFile}", path);
            return null;
        }
    }
}
