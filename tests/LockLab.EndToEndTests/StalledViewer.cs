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
        // The join's answer is read, so that the page is known to be in the room (a join the server refused would leave
        // a test waiting for a viewer that never comes); from then on, it never reads.
        var answer = await ReadJoinAnswerAsync(socket);
        using (var completion = JsonDocument.Parse(answer))
        {
            if (completion.RootElement.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"The server refused to let the page join room {room}: {error}");
        }
        return viewer;
    }

    /// <summary>
    /// Reads what the server sends until the completion of invocation 1 (JoinRoom) has come whole, and returns it (its
    /// JSON). Frames from the server are not masked, and each SignalR message ends with the record separator, so the
    /// raw bytes are searched as text.
    /// </summary>
    private static async Task<string> ReadJoinAnswerAsync(Socket socket)
    {
        const string completion = "\"type\":3,\"invocationId\":\"1\"";
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
            if (read == 0) throw new InvalidOperationException("The server closed the connection before answering the join: " + received);
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = received.ToString();
            // The completion message, from its opening brace to its record separator.
            var start = text.IndexOf(completion, StringComparison.Ordinal);
            if (start > 0 && text.IndexOf(RecordSeparator, start) is var end and >= 0) return text[text.LastIndexOf('{', start)..end];
        }
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
