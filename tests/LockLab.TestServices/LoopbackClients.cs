using System.Net;
using System.Net.Sockets;

namespace LockLab.TestServices;

/// <summary>
/// HTTP clients that each come from an address of their own, so that one test process can be many clients of a lab's
/// per-address limits (exports at once, reads a minute). On Linux every 127.x.y.z address is loopback: a socket bound
/// to 127.0.0.2 before it connects reaches a lab on 127.0.0.1, which sees 127.0.0.2 as the connection's remote address.
/// The clients send no <c>X-Forwarded-For</c>, so the lab counts them by that address whatever its proxy settings.
/// </summary>
public static class LoopbackClients
{
    /// <summary>The <paramref name="index"/>-th client address (from 0): 127.0.0.2, 127.0.0.3, …, never the lab's 127.0.0.1.</summary>
    public static IPAddress Address(int index) =>
        index is >= 0 and < 65_000 ? new IPAddress([127, 0, (byte)((index + 2) / 256), (byte)((index + 2) % 256)])
            : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>A client of <paramref name="server"/> whose every connection comes from <paramref name="local"/>.</summary>
    public static HttpClient Create(Uri server, IPAddress local, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
    }
}
