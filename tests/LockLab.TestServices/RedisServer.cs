using System.Diagnostics;

namespace LockLab.TestServices;

/// <summary>
/// A real Redis server (Debian's <c>redis-server</c>) on a free loopback port, in memory only, for as long as the
/// fixture lives. Each test gives its deployment its own key prefix, so tests sharing one server stay apart.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for <c>LockLab:Redis</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var executable = Prerequisites.Redis.Path;
        var port = FreePort.Next();
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--protected-mode", "yes"
        })
        {
            info.ArgumentList.Add(arg);
        }
        var server = new RedisServer(Process.Start(info)!, port);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                ready.TrySetException(new InvalidOperationException("redis-server exited during start-up:\n" + server.Output));
                return;
            }
            lock (server._output) server._output.Add(line);
            if (line.Contains("Ready to accept connections")) ready.TrySetResult();
        }
        server._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        server._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) OnLine(e.Data); };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync(); // a server that never became ready must not outlive the tests either
            throw;
        }
    }

    public string Output { get { lock (_output) return string.Join('\n', _output); } }

    /// <summary>
    /// Runs one command with Debian's <c>redis-cli</c> (installed with the server) and returns its raw answer. Each call
    /// starts a process: poll with it sparingly.
    /// </summary>
    public async Task<string> CommandAsync(params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", Port.ToString(), "--raw" }.Concat(command)) info.ArgumentList.Add(arg);
        using var cli = Process.Start(info)!;
        var answer = cli.StandardOutput.ReadToEndAsync();
        var errors = cli.StandardError.ReadToEndAsync();
        try
        {
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            cli.Kill();
            throw;
        }
        if (cli.ExitCode != 0) throw new InvalidOperationException($"redis-cli {string.Join(' ', command)} failed: {await errors}");
        return (await answer).Trim();
    }

    /// <summary>
    /// Freezes the server (SIGSTOP): connections stay open and commands wait unanswered, as when Redis stalls on a
    /// busy host. <see cref="Resume"/> (or disposing) lets it go on.
    /// </summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString()]);
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill {signal} {_process.Id} failed");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
