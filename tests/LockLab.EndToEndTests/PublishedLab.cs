using System.Runtime.ExceptionServices;
using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>
/// The lab a user runs, made once for the whole test run: a fresh clone (tracked files only) started with README.md's
/// run command exactly as written. That first start builds and publishes the lab in Release, as it does for a new
/// user, and keeps running for <see cref="FirstRunTests"/>; every other test starts its servers from the published
/// folder it left (<see cref="ServerProcess"/>): the trimmed, precompressed client in Production, not the Debug build
/// output, whose two hundred untrimmed runtime files made each cold load of a lesson page about 1.3 s slower (medians
/// of 4.0–4.8 s against 2.8–3.1 s on a 2-core machine). One Release build serves the whole run.
/// </summary>
/// <remarks>
/// Every test class that starts a server belongs to <see cref="Collection"/>, which holds this fixture: xunit makes
/// it before the first of them and disposes it after the last, so that neither the lab nor the clone outlives the run.
/// </remarks>
public sealed class PublishedLab : IAsyncLifetime
{
    public const string Collection = "The published lab";

    private static string? s_serverFolder;
    private FreshClone? _clone;

    /// <summary>The published server (<c>LockLab.Server.dll</c> and its <c>wwwroot</c>) the first start made.</summary>
    public static string ServerFolder => s_serverFolder ?? throw new InvalidOperationException(
        $"No published lab: a test class that starts a server must be in [Collection(PublishedLab.Collection)].");

    /// <summary>The README's command, started in the fresh clone, still running; null when it did not start.</summary>
    public ReadmeLab? FirstStart { get; private set; }

    private Exception? _firstStartFailure;

    /// <summary>The first start, or why it failed (only the first-run test fails for that: the others get a lab published by hand).</summary>
    public ReadmeLab RequireFirstStart()
    {
        if (FirstStart is null) ExceptionDispatchInfo.Throw(_firstStartFailure!);
        return FirstStart!;
    }

    public async Task InitializeAsync()
    {
        _clone = await FreshClone.CreateAsync(Repository.Root);
        var published = Path.Combine(_clone.Folder, "src", "LockLab.Server", "bin", "Release", Repository.TargetFramework, "publish");
        try
        {
            // The first start restores, builds and publishes: minutes on a busy 2-core machine.
            FirstStart = await ReadmeLab.StartAsync(_clone, TimeSpan.FromMinutes(10));
        }
        catch (Exception e)
        {
            // Port 5080 taken by a lab the user runs, say: the first-run test reports it, and the rest still run.
            _firstStartFailure = e;
            await LabPublish.RunAsync(_clone.Folder, published);
        }
        s_serverFolder = published;
    }

    public async Task DisposeAsync()
    {
        s_serverFolder = null;
        if (FirstStart is not null) await FirstStart.DisposeAsync();
        _clone?.Dispose();
    }
}

[CollectionDefinition(PublishedLab.Collection)]
public sealed class PublishedLabCollection : ICollectionFixture<PublishedLab>;
