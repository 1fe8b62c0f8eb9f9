using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Rooms;

/// <summary>
/// Where students' phones can open the lab: the join link, the QR code and the projector's "Join at …" must name an
/// address that works from another device — never <c>localhost</c>, which on a student's phone is the phone.
/// <c>LockLab:PublicUrl</c> when set (a proxy, a DNS name); otherwise this machine's LAN addresses on the port the lab
/// listens on. A lab that listens on loopback only has none, and says how to start it so that it does.
/// </summary>
public sealed class JoinAddressFinder(IServer server, IOptions<LockLabOptions> options)
{
    /// <param name="requestHost">The address the asking page used: offered first when it is not loopback (the presenter
    /// already reached the lab through it, e.g. a machine name on the school network).</param>
    public JoinAddresses Find(HostString requestHost = default, string requestScheme = "http")
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicUrl))
            return new([options.Value.PublicUrl.Trim().TrimEnd('/')], Configured: true);

        var listening = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => BindingAddress.Parse(a)).ToList();
        var found = new List<string>();
        if (requestHost.HasValue && !IsLoopbackHost(requestHost.Host)
            && listening.Any(l => l.Port == (requestHost.Port ?? DefaultPort(requestScheme)) && !IsLoopbackHost(l.Host)))
        {
            found.Add($"{requestScheme}://{requestHost.Value}");
        }
        foreach (var binding in listening)
        {
            if (IsWildcard(binding.Host)) found.AddRange(LanAddresses().Select(ip => Url(binding.Scheme, ip, binding.Port)));
            else if (!IsLoopbackHost(binding.Host)) found.Add(Url(binding.Scheme, binding.Host, binding.Port));
        }
        var addresses = found.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return addresses.Count > 0 ? new(addresses, Configured: false) : new([], Configured: false, Advice(listening));
    }

    private static string Advice(IReadOnlyList<BindingAddress> listening)
    {
        var port = listening.FirstOrDefault()?.Port ?? 5080;
        return listening.Count == 0
            ? JoinAdvice.UnknownAddress
            : TextTemplates.Fill(JoinAdvice.LoopbackOnly, string.Join(", ", listening.Select(l => $"{l.Host}:{l.Port}")), port);
    }

    /// <summary>
    /// This machine's IPv4 addresses on interfaces that are up, best first: interfaces with a default gateway (the
    /// school network) before others (a virtual switch, a container bridge). Loopback and link-local addresses are no
    /// use to another device. IPv6 is left out: a classroom types the address off the projector.
    /// </summary>
    public static IReadOnlyList<string> LanAddresses()
    {
        var candidates = new List<(string Address, bool HasGateway)>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
            IPInterfaceProperties properties;
            try
            {
                properties = nic.GetIPProperties();
            }
            catch (NetworkInformationException)
            {
                continue; // an interface that vanished while we looked
            }
            var hasGateway = properties.GatewayAddresses.Any(g => !g.Address.Equals(IPAddress.Any) && !g.Address.Equals(IPAddress.IPv6Any));
            foreach (var unicast in properties.UnicastAddresses)
            {
                var ip = unicast.Address;
                if (ip.AddressFamily != AddressFamily.InterNetwork || IPAddress.IsLoopback(ip) || IsLinkLocal(ip)) continue;
                candidates.Add((ip.ToString(), hasGateway));
            }
        }
        return candidates.OrderByDescending(c => c.HasGateway).Select(c => c.Address).Distinct().ToList();
    }

    private static bool IsLinkLocal(IPAddress ip) => ip.GetAddressBytes() is [169, 254, ..];

    private static bool IsWildcard(string host) => host is "*" or "+" or "0.0.0.0" or "[::]" or "::";

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static int DefaultPort(string scheme) => scheme == "https" ? 443 : 80;

    private static string Url(string scheme, string host, int port) =>
        port == DefaultPort(scheme) ? $"{scheme}://{host}" : $"{scheme}://{host}:{port}";
}

public static class JoinAddressLogging
{
    /// <summary>Once listening: the address students open, so that a teacher starting the lab in a terminal sees it.</summary>
    public static void LogJoinAddressesOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var join = app.Services.GetRequiredService<JoinAddressFinder>().Find();
            if (join.Addresses.Count > 0)
                app.Logger.LogInformation("Students join at {JoinAddress}/join", string.Join("/join or ", join.Addresses));
            else
                app.Logger.LogWarning("{JoinAdvice}", join.Advice);
        });
    }
}
