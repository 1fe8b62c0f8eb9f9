using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LockLab.EndToEndTests;

/// <summary>
/// A page that joins a room and then stops reading — a phone asleep with the socket still open. Spoken by hand
/// (negotiate, WebSocket upgrade, SignalR handshake) over a socket with a tiny receive buffer, so that what the server
/// sends piles up in the server's own buffers, as it would for a real stalled client.
/// </summary>
public sealed class StalledViewer : IDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly Socket _socket;

    private StalledViewer(Socket socket) => _socket = socket;

    public static async Task<StalledViewer> JoinAsync(Uri server, string room)
    {
        using var http = new HttpClient { BaseAddress = server };
        var negotiate = await (await http.PostAsync("/hubs/lab/negotiate?negotiateVersion=1", null)).Content
            .ReadFromJsonAsync<JsonElement>();
        var token = negotiate.GetProperty("connectionToken").GetString();

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2048 };
        await socket.ConnectAsync(server.Host, server.Port);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /hubs/lab?id={token} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var response = await ReadHeadersAsync(socket);
        if (!response.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new InvalidOperationException("WebSocket upgrade refused: " + response);

        var viewer = new StalledViewer(socket);
        await viewer.SendTextAsync("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator);
        await viewer.SendTextAsync(
            $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\"]}}" + RecordSeparator);
        return viewer; // and from now on, never reads
    }

    private static async Task<string> ReadHeadersAsync(Socket socket)
    {
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one) == 0) break;
            headers.Append((char)one[0]);
        }
        return headers.ToString();
    }

    /// <summary>One masked text frame, as a WebSocket client must send.</summary>
    private async Task SendTextAsync(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126) frame.Add((byte)(0x80 | payload.Length));
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _socket.SendAsync(frame.ToArray());
    }

    public void Dispose() => _socket.Dispose();
}
