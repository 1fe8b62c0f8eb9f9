using LockLab.TestServices;

namespace LockLab.EndToEndTests;

/// <summary>
/// The lab a user runs, made once for the whole test run: a fresh clone (the repository's tracked files: a new file
/// must be added to git to be in it) started with README.md's run command exactly as written. That first start builds
/// and publishes the lab in Release, as it does for a new user, and keeps running for <see cref="FirstRunTests"/>;
/// every other test's lab server is started from the published folder it left (<see cref="ServerProcess"/>): the
/// trimmed, precompressed client in Production, not the Debug build output, whose two hundred untrimmed runtime files
/// made each cold load of a lesson page about 1.3 s slower (medians of 4.0–4.8 s against 2.8–3.1 s on a 2-core
/// machine). One Release build serves the whole run.
/// </summary>
/// <remarks>
/// Every test class that starts a lab server through <see cref="ServerProcess"/> belongs to <see cref="Collection"/>,
/// which holds this fixture: xunit makes it before the first of them and disposes it after the last, so that neither
/// the lab nor the clone outlives the run. (The benchmark's quick mode, <see cref="BenchmarkSuiteTests"/>, starts its
/// own servers from the build output, as a person running it does.)
/// </remarks>
public sealed class PublishedLab : IAsyncLifetime
{
    public const string Collection = "The published lab";

    private static string? s_serverFolder;
    private static Exception? s_failure;
    private FreshClone? _clone;
    private string? _portTaken;

    /// <summary>The published server (<c>LockLab.Server.dll</c> and its <c>wwwroot</c>) the first start made.</summary>
    public static string ServerFolder => s_serverFolder ?? throw (s_failure is { } failure
        ? new InvalidOperationException("The lab could not be built and published for the tests: " + failure.Message, failure)
        : new InvalidOperationException(
            "No published lab: a test class that starts a server must be in [Collection(PublishedLab.Collection)]."));

    /// <summary>The README's command, started in the fresh clone, still running (null when its port was taken).</summary>
    public ReadmeLab? FirstStart { get; private set; }

    /// <summary>How many lines the first start had written when it was up: its start-up log.</summary>
    public int FirstStartLineCount { get; private set; }

    /// <summary>The first start, or why there is none: the first-run test fails for that; the others run all the same.</summary>
    public ReadmeLab RequireFirstStart() => FirstStart ?? throw new InvalidOperationException(_portTaken);

    public async Task InitializeAsync()
    {
        try
        {
            _clone = await FreshClone.CreateAsync(Repository.Root);
            var published = Path.Combine(_clone.Folder, "src", "LockLab.Server", "bin", "Release", Repository.TargetFramework, "publish");
            if (ReadmeLab.PortTaken(ReadmeCommands.Run(_clone.Folder)) is { } taken)
            {
                // A lab the user runs holds the README's port: only the first-run test needs it.
                _portTaken = taken;
                await LabPublish.RunAsync(_clone.Folder, published);
            }
            else
            {
                // The first start restores, builds and publishes: minutes on a busy 2-core machine.
                FirstStart = await ReadmeLab.StartAsync(_clone, TimeSpan.FromMinutes(10));
                FirstStartLineCount = FirstStart.Lines.Count;
            }
            if (!File.Exists(Path.Combine(published, "LockLab.Server.dll")))
                throw new InvalidOperationException($"No published lab in {published} after the first start (or the publish).");
            s_serverFolder = published;
        }
        catch (Exception e)
        {
            s_failure = e; // each test that needs the lab says why there is none
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        s_serverFolder = null;
        s_failure = null;
        if (FirstStart is not null) await FirstStart.DisposeAsync();
        _clone?.Dispose();
    }
}

[CollectionDefinition(PublishedLab.Collection)]
public sealed class PublishedLabCollection : ICollectionFixture<PublishedLab>;
