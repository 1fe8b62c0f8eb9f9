using System.Collections.Concurrent;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Hubs;

/// <summary>
/// Live hub connections per client address, at most <c>LockLab:MaxConnectionsPerAddress</c>: one machine cannot hold
/// thousands of connections (each with its own feed and buffers) open. Generous by default, because a whole school
/// behind one NAT address is one address.
/// </summary>
public sealed class ConnectionsPerAddress(IOptions<LockLabOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Counts a new connection from <paramref name="address"/>; false (not counted) when it has its fill.</summary>
    public bool TryOpen(string address)
    {
        while (true)
        {
            var open = _open.GetOrAdd(address, 0);
            if (open >= options.Value.MaxConnectionsPerAddress) return false;
            if (_open.TryUpdate(address, open + 1, open)) return true;
        }
    }

    public void Close(string address)
    {
        while (_open.TryGetValue(address, out var open))
        {
            if (open <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(address, open)) : _open.TryUpdate(address, open - 1, open)) return;
        }
    }
}
