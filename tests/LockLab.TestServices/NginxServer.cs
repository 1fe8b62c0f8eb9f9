using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace LockLab.TestServices;

/// <summary>
/// A real nginx (Debian's package) in front of lab instances on loopback, configured by the very file the compose
/// `scale` profile mounts (<c>deploy/nginx/locklab.conf</c>). Only what ties that file to Docker is rewritten: the
/// labs' compose host names become loopback ports, Docker's DNS resolver and the <c>resolve</c> re-lookups go (they
/// need Docker's network and nginx 1.27.3; Debian 12 has 1.22), the listen port and the log paths move into a
/// temporary folder. Every rewrite must find its target, so a change to the shipped file cannot slip past untested.
/// </summary>
public sealed partial class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private NginxServer(Process process, string folder, int port, int? tlsPort)
    {
        _process = process;
        _folder = folder;
        Address = new Uri($"http://127.0.0.1:{port}/");
        TlsAddress = tlsPort is { } tls ? new Uri($"https://127.0.0.1:{tls}/") : null;
    }

    public Uri Address { get; }

    /// <summary>With a certificate: where HTTPS is served (the shipped <c>tls.conf.example</c>, turned on).</summary>
    public Uri? TlsAddress { get; }

    /// <summary>nginx's access log: the shipped format names the lab (<c>lab 127.0.0.1:PORT</c>) that answered each request.</summary>
    public string AccessLog => Path.Combine(_folder, "access.log");

    /// <summary>
    /// Starts nginx with <paramref name="shippedConfig"/>, sending each compose host (<c>locklab-a:8080</c>) to
    /// a loopback address.
    /// </summary>
    /// <param name="change">A change to the shipped file before it is rewritten for loopback (e.g. <see cref="RefuseWebSockets"/>).</param>
    /// <param name="tls">
    /// Turn HTTPS on as a school does: the shipped <c>tls/tls.conf.example</c> beside <paramref name="shippedConfig"/>,
    /// copied to <c>tls.conf</c>, with this certificate in place of the school's and a loopback port for 443.
    /// </param>
    public static async Task<NginxServer> StartAsync(
        string shippedConfig, IReadOnlyDictionary<string, Uri> labs, Func<string, string>? change = null, TestCertificate? tls = null)
    {
        var executable = Prerequisites.Nginx.Path;
        var folder = Directory.CreateTempSubdirectory("locklab-nginx-").FullName;
        var port = FreePort.Next();
        int? tlsPort = tls is null ? null : FreePort.Next();
        Process process;
        try
        {
            await WriteConfigurationAsync(folder, shippedConfig, labs, port, change);
            Directory.CreateDirectory(Path.Combine(folder, "tls"));
            if (tls is not null) await WriteTlsConfigurationAsync(folder, shippedConfig, tls, tlsPort!.Value);
            process = Start(executable, folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true); // a shipped file that no longer matches must leave nothing behind
            throw;
        }
        var server = new NginxServer(process, folder, port, tlsPort);
        try
        {
            await server.WaitUntilListeningAsync(port);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The shipped configuration, rewritten for loopback, and an nginx.conf around it, in <paramref name="folder"/>.</summary>
    private static async Task WriteConfigurationAsync(string folder, string shippedConfig, IReadOnlyDictionary<string, Uri> labs, int port,
        Func<string, string>? change)
    {
        // Run as root, nginx's workers drop to `nobody`, and buffer request bodies and large answers in these folders:
        // they must be able to enter the (otherwise private) temporary folder and write in its subfolders.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101); // rwxr-xr-x
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            var path = Directory.CreateDirectory(Path.Combine(folder, temp)).FullName;
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111); // rwxrwxrwx
        }
        var config = await File.ReadAllTextAsync(shippedConfig);
        if (change is not null) config = change(config);
        config = Rewrite(config, ResolverLine(), "", "Docker's resolver");
        config = Rewrite(config, ResolveParameter(), ";", "the `resolve` parameters");
        foreach (var (host, address) in labs)
        {
            config = Rewrite(config, new Regex($@"\bserver {Regex.Escape(host)}\b"), $"server {address.Host}:{address.Port}", host);
        }
        config = Rewrite(config, ListenLine(), $"listen 127.0.0.1:{port};", "the listen port");
        config = Rewrite(config, AccessLogPath(), $"access_log {Path.Combine(folder, "access.log")} ", "the access log");
        config = Rewrite(config, TlsInclude(), $"include {Path.Combine(folder, "tls")}/*.conf;", "the HTTPS include");
        await File.WriteAllTextAsync(Path.Combine(folder, "locklab.conf"), config);
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            daemon off;
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log info;
            events { worker_connections 1024; }
            http {
                client_body_temp_path {{folder}}/body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/locklab.conf;
            }
            """);
    }

    /// <summary>The shipped HTTPS snippet, turned on: its certificate paths and ports moved to the test's.</summary>
    private static async Task WriteTlsConfigurationAsync(string folder, string shippedConfig, TestCertificate tls, int tlsPort)
    {
        var example = Path.Combine(Path.GetDirectoryName(shippedConfig)!, "tls", "tls.conf.example");
        var config = await File.ReadAllTextAsync(example);
        config = Rewrite(config, TlsListenLine(), $"listen 127.0.0.1:{tlsPort} ssl;", "the HTTPS listen line");
        config = Rewrite(config, CertificatePath(), $"ssl_certificate     {tls.CertificatePath};", "the certificate");
        config = Rewrite(config, CertificateKeyPath(), $"ssl_certificate_key {tls.KeyPath};", "the certificate's key");
        config = Rewrite(config, RedirectPort(), $"https://$$host:{tlsPort}$$", "the redirect's port");
        await File.WriteAllTextAsync(Path.Combine(folder, "tls", "tls.conf"), config);
    }

    private static Process Start(string executable, string folder)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true
        };
        foreach (var arg in new[] { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log") })
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>
    /// The shipped file as a school proxy that breaks WebSockets has it: the hub's location answers every upgrade request
    /// with 403, and passes everything else (negotiation, Server-Sent Events, long polling) on as before.
    /// </summary>
    public static string RefuseWebSockets(string config) =>
        Rewrite(config, HubLocation(), "location /hubs/ {\n        if ($$http_upgrade) { return 403; }", "the hub's location");

    private static string Rewrite(string config, Regex pattern, string replacement, string what)
    {
        if (!pattern.IsMatch(config))
            throw new InvalidOperationException(
                $"deploy/nginx/locklab.conf no longer has {what} ({pattern}): update {nameof(NginxServer)}.");
        return pattern.Replace(config, replacement);
    }

    /// <summary>nginx says nothing when it is ready, so connect until it accepts (or has exited).</summary>
    private async Task WaitUntilListeningAsync(int port)
    {
        var exited = _process.WaitForExitAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (exited.IsCompleted) throw new InvalidOperationException("nginx exited during start-up:\n" + await ErrorsAsync());
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.WhenAny(exited, Task.Delay(20));
            }
        }
    }

    private async Task<string> ErrorsAsync()
    {
        var log = Path.Combine(_folder, "error.log");
        return await _process.StandardError.ReadToEndAsync() + (File.Exists(log) ? await File.ReadAllTextAsync(log) : "");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still be closing its log; the temp folder is cleaned by the OS eventually.
        }
    }

    [GeneratedRegex(@"^resolver [^;]*;", RegexOptions.Multiline)]
    private static partial Regex ResolverLine();

    [GeneratedRegex(@"\s+resolve;")]
    private static partial Regex ResolveParameter();

    [GeneratedRegex(@"\blisten 80;")]
    private static partial Regex ListenLine();

    [GeneratedRegex(@"\baccess_log /var/log/nginx/access\.log ")]
    private static partial Regex AccessLogPath();

    [GeneratedRegex(@"\binclude /etc/nginx/locklab-tls/\*\.conf;")]
    private static partial Regex TlsInclude();

    [GeneratedRegex(@"^listen 443 ssl;", RegexOptions.Multiline)]
    private static partial Regex TlsListenLine();

    [GeneratedRegex(@"^ssl_certificate +/etc/nginx/certs/lab\.crt;", RegexOptions.Multiline)]
    private static partial Regex CertificatePath();

    [GeneratedRegex(@"^ssl_certificate_key +/etc/nginx/certs/lab\.key;", RegexOptions.Multiline)]
    private static partial Regex CertificateKeyPath();

    [GeneratedRegex(@"https://\$host:8443\$")]
    private static partial Regex RedirectPort();

    [GeneratedRegex(@"\blocation /hubs/ \{")]
    private static partial Regex HubLocation();
}
