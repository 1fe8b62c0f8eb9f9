using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LockLab.TestServices;

/// <summary>
/// The two commands README.md gives a new user ("## The two commands"): the first shell block runs the lab, the second
/// runs the tests. Read from the file as a user copies them, so that what is tested is what is written.
/// </summary>
public static partial class ReadmeCommands
{
    public static string Run(string repositoryRoot) => Blocks(repositoryRoot)[0];

    public static string Test(string repositoryRoot) => Blocks(repositoryRoot)[1];

    private static string[] Blocks(string repositoryRoot)
    {
        var readme = File.ReadAllText(Path.Combine(repositoryRoot, "README.md"));
        var start = readme.IndexOf("\n## The two commands", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException("README.md has no '## The two commands' section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var blocks = ShellBlock().Matches(section).Select(m => m.Groups[1].Value.Trim()).ToArray();
        return blocks.Length >= 2
            ? blocks
            : throw new InvalidOperationException("README.md's '## The two commands' needs two ```bash blocks: run, then test.");
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}

/// <summary>
/// What a user gets from <c>git clone</c>: the repository's tracked files only, in a fresh folder (no <c>bin</c>,
/// <c>obj</c>, <c>data</c> or anything else a build or a run left behind). Deleted on dispose.
/// </summary>
public sealed class FreshClone : IDisposable
{
    private FreshClone(string folder) => Folder = folder;

    public string Folder { get; }

    public static async Task<FreshClone> CreateAsync(string repositoryRoot)
    {
        var clone = new FreshClone(Directory.CreateTempSubdirectory("locklab-clone-").FullName);
        try
        {
            var info = new ProcessStartInfo("git", ["-C", repositoryRoot, "ls-files", "-z"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false
            };
            using var git = Process.Start(info)!;
            var files = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            if (git.ExitCode != 0) throw new InvalidOperationException($"git ls-files failed in {repositoryRoot}");
            foreach (var file in files.Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                var source = Path.Combine(repositoryRoot, file);
                if (!File.Exists(source)) continue; // deleted in the work tree, not yet committed
                var target = Path.Combine(clone.Folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            return clone;
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A process of the clone still exiting may hold a file for a moment; the leftover check names it if it stays.
        }
    }
}

/// <summary>
/// The lab as a new user starts it: a fresh clone, README.md's run command exactly as written (through bash, nothing
/// added), its output collected. Disposing it kills the whole process tree (dotnet run, the server, its workers) and
/// deletes the clone when it made it (<see cref="StartInFreshCloneAsync"/>).
/// </summary>
public sealed partial class ReadmeLab : IAsyncDisposable
{
    /// <summary>The port the README's command listens on: the <c>classroom</c> launch profile's <c>http://*:5080</c>.</summary>
    public const int Port = 5080;

    private readonly Process _process;
    private readonly FreshClone? _ownedClone;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _generatedKey = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReadmeLab(Process process, FreshClone? ownedClone, string command)
    {
        _process = process;
        _ownedClone = ownedClone;
        Command = command;
    }

    /// <summary>The command as README.md gives it.</summary>
    public string Command { get; }

    /// <summary>Where the lab listens, as it logged it (<c>http://[::]:5080</c> becomes <c>http://127.0.0.1:5080</c>).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The presenter key the lab generated and logged (none is configured in a fresh clone).</summary>
    public string Key { get; private set; } = "";

    /// <summary>From the command's start to "Now listening on": the first start builds and publishes.</summary>
    public TimeSpan StartUp { get; private set; }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    public IReadOnlyList<string> Lines { get { lock (_output) return [.. _output]; } }

    /// <summary>
    /// Copies the repository's tracked files to a fresh folder, runs the README's command there and returns once the
    /// lab listens on <see cref="Port"/> and has logged its key. Fails at once, saying so, when the port is taken.
    /// </summary>
    public static async Task<ReadmeLab> StartInFreshCloneAsync(string repositoryRoot, TimeSpan startLimit)
    {
        var command = ReadmeCommands.Run(repositoryRoot);
        ThrowIfPortInUse(command);
        var clone = await FreshClone.CreateAsync(repositoryRoot);
        try
        {
            return await StartAsync(clone.Folder, command, startLimit, ownedClone: clone);
        }
        catch
        {
            clone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the README's command in <paramref name="clone"/> (a <see cref="FreshClone"/> the caller keeps) and returns
    /// once the lab listens on <see cref="Port"/> and has logged its key. Disposing the lab leaves the clone.
    /// </summary>
    public static Task<ReadmeLab> StartAsync(FreshClone clone, TimeSpan startLimit)
    {
        var command = ReadmeCommands.Run(clone.Folder);
        ThrowIfPortInUse(command);
        return StartAsync(clone.Folder, command, startLimit, ownedClone: null);
    }

    private static void ThrowIfPortInUse(string command)
    {
        if (PortTaken(command) is { } taken) throw new InvalidOperationException(taken);
    }

    /// <summary>Why the README's <paramref name="command"/> could not listen now (its port is taken, and by what), or null.</summary>
    public static string? PortTaken(string command) =>
        PortInUse(Port) is { } holder
            ? $"Port {Port} is in use ({holder}), and the README's run command (`{command}`) listens there. Stop " +
                $"whatever holds it (`ss -ltnp | grep :{Port}` names it) and run again."
            : null;

    private static async Task<ReadmeLab> StartAsync(string folder, string command, TimeSpan startLimit, FreshClone? ownedClone)
    {
        var info = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        LabPublish.AsInAUsersShell(info);
        var started = Stopwatch.StartNew();
        var lab = new ReadmeLab(Process.Start(info)!, ownedClone, command);
        try
        {
            lab._process.OutputDataReceived += (_, e) => lab.OnOutput(e.Data);
            lab._process.ErrorDataReceived += (_, e) => lab.OnOutput(e.Data);
            lab._process.BeginOutputReadLine();
            lab._process.BeginErrorReadLine();
            try
            {
                lab.Address = await lab._listening.Task.WaitAsync(startLimit);
                lab.StartUp = started.Elapsed;
                // Logged just after listening, by the same start-up.
                lab.Key = await lab._generatedKey.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"`{command}` did not listen and log its key within " +
                    $"{startLimit.TotalMinutes:N0} minutes in {folder}:\n{lab.Output}");
            }
            if (lab.Address.Port != Port)
                throw new InvalidOperationException(
                    $"`{command}` listens on {lab.Address}, not on port {Port} as the README says:\n{lab.Output}");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>What holds <paramref name="port"/> (in words), or null when it is free on every interface, as the lab binds it.</summary>
    public static string? PortInUse(int port)
    {
        try
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetworkV6,
                System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { DualMode = true };
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Any, port));
            probe.Listen();
            return null;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            return $"binding [::]:{port} failed: {e.Message}";
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException($"`{Command}` ended before the lab listened:\n{Output}"));
            _generatedKey.TrySetException(new InvalidOperationException($"`{Command}` ended before the lab logged its key:\n{Output}"));
            return;
        }
        lock (_output) _output.Add(line);
        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            var host = listening.Groups["host"].Value is "[::]" or "0.0.0.0" or "*" or "+" ? "127.0.0.1" : listening.Groups["host"].Value;
            _listening.TrySetResult(new Uri($"{listening.Groups["scheme"].Value}://{host}:{listening.Groups["port"].Value}"));
        }
        if (GeneratedKeyLine().Match(line) is { Success: true } key) _generatedKey.TrySetResult(key.Groups[1].Value);
    }

    [GeneratedRegex(@"Now listening on: (?<scheme>https?)://(?<host>\[[^\]]+\]|[^:/]+):(?<port>\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("^Presenter key: ([0-9a-f]+) ")]
    private static partial Regex GeneratedKeyLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _ownedClone?.Dispose();
    }
}
