using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace LockLab.TestServices;

/// <summary>
/// A real PostgreSQL server from Debian's <c>postgresql</c> package, started for the tests: a fresh cluster in a
/// temporary folder, on a free loopback port, its unix socket in that folder too, trust authentication and no fsync
/// (throw-away data). Disposing it stops the server and deletes the folder.
/// </summary>
/// <remarks>
/// <c>initdb</c> and <c>postgres</c> refuse to run as root. CI runs as root, so there the folder belongs to the
/// <c>postgres</c> system user (created by the package) and both run through <c>runuser -u postgres --</c>.
/// </remarks>
public sealed partial class PostgresServer : IAsyncDisposable, IDisposable
{
    public const string Superuser = "postgres";
    private const string SystemUser = "postgres";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _bin;
    private readonly string _root;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _server;
    private int _disposed;

    private PostgresServer(string bin, string root)
    {
        _bin = bin;
        _root = root;
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_root, "data");

    private string SocketDirectory => Path.Combine(_root, "socket");

    private static bool RunningAsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Whether Debian's PostgreSQL server programs are installed (else <see cref="StartAsync"/> says what to install).</summary>
    public static bool IsInstalled => Prerequisites.PostgreSql.IsInstalled;

    /// <summary>Creates a cluster and starts its server; returns once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken ct = default)
    {
        var bin = Prerequisites.PostgreSql.Path;
        var server = new PostgresServer(bin, Directory.CreateTempSubdirectory("locklab-pg-").FullName);
        try
        {
            await server.InitializeAsync(ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> on this server, as the superuser.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = Superuser, Database = database }.ToString();

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync(ct);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{ValidName(name)}\"", admin);
        await create.ExecuteNonQueryAsync(ct);
        return ConnectionString(name);
    }

    /// <summary>The same as <see cref="CreateDatabaseAsync"/>, for places that cannot await (a test fixture's settings).</summary>
    public string CreateDatabase(string name)
    {
        using var admin = new NpgsqlConnection(AdminConnectionString());
        admin.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{ValidName(name)}\"", admin);
        create.ExecuteNonQuery();
        return ConnectionString(name);
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(SocketDirectory);
        if (RunningAsRoot) await RunAsync("chown", ["-R", $"{SystemUser}:", _root], ct);
        await RunAsync(Tool("initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            ct, asServerUser: true);

        // The free port may be taken by someone else between looking and binding: then try another.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            if (await TryStartAsync(ct)) return;
            var log = string.Join('\n', _log);
            if (attempt >= 3 || !log.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"PostgreSQL did not start (port {Port}, data {DataDirectory}):\n{log}");
            }
            _log.Clear();
        }
    }

    /// <summary>Starts <c>postgres</c> and polls with real connections until one succeeds; false if the server exited.</summary>
    private async Task<bool> TryStartAsync(CancellationToken ct)
    {
        _server = Start(Tool("postgres"),
        [
            "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", SocketDirectory,
            "-c", "listen_addresses=127.0.0.1",
            // Test data is thrown away: durability only costs time.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "shared_buffers=32MB", "-c", "max_connections=200",
        ], asServerUser: true);
        _server.OutputDataReceived += (_, e) => Remember(e.Data);
        _server.ErrorDataReceived += (_, e) => Remember(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var exited = _server.WaitForExitAsync(ct);

        var deadline = Stopwatch.StartNew();
        var probe = new NpgsqlConnectionStringBuilder(AdminConnectionString()) { Timeout = 5 }.ToString();
        while (true)
        {
            if (exited.IsCompleted) return false;
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(ct);
                return true;
            }
            catch (NpgsqlException) when (deadline.Elapsed < StartTimeout)
            {
                // Not listening yet, or "the database system is starting up": look again shortly, or as soon as it exits.
                await Task.WhenAny(exited, Task.Delay(50, ct));
            }
            catch (NpgsqlException ex)
            {
                throw new TimeoutException($"PostgreSQL did not accept connections within {StartTimeout.TotalSeconds:0} s:\n" +
                    $"{string.Join('\n', _log)}", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        try
        {
            if (_server is { HasExited: false } server)
            {
                try
                {
                    // Immediate: no checkpoint, the data is about to be deleted anyway.
                    using var stopping = new CancellationTokenSource(StopTimeout);
                    await RunAsync(Tool("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "immediate", "-w"],
                        stopping.Token, asServerUser: true);
                    await server.WaitForExitAsync(stopping.Token);
                }
                catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
                {
                    server.Kill(entireProcessTree: true);
                    await server.WaitForExitAsync();
                }
            }
            _server?.Dispose();
            // Pooled connections to this server are dead now; one on a later server that reuses the port must not be handed out.
            NpgsqlConnection.ClearAllPools();
        }
        finally
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder: harmless, and the OS cleans it eventually.
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void KillOnExit(object? sender, EventArgs e)
    {
        // The test host is going away without having disposed this (an aborted run): leave no server behind.
        try
        {
            if (_server is { HasExited: false } server) server.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ToString();

    private void Remember(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 200) _log.TryDequeue(out _);
    }

    private string Tool(string name) => Path.Combine(_bin, name);

    private static string ValidName(string name) =>
        DatabaseName().IsMatch(name)
            ? name
            : throw new ArgumentException(
                $"'{name}' is not a plain database name (lower-case letters, digits, _).", nameof(name));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();

    /// <summary>Starts a program, as the <c>postgres</c> user when this process is root, with its output redirected.</summary>
    private Process Start(string program, IEnumerable<string> arguments, bool asServerUser = false)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server user may not be allowed into the test's working folder; initdb and postgres need theirs readable.
            WorkingDirectory = _root,
        };
        if (asServerUser && RunningAsRoot)
        {
            info.FileName = "runuser";
            foreach (var arg in new[] { "-u", SystemUser, "--", program }) info.ArgumentList.Add(arg);
        }
        else
        {
            info.FileName = program;
        }
        foreach (var arg in arguments) info.ArgumentList.Add(arg);
        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
    }

    /// <summary>Runs a program to its end; throws with its output if it fails.</summary>
    private async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct, bool asServerUser = false)
    {
        using var process = Start(program, arguments, asServerUser);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }
}
