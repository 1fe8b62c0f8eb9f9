using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Server.Broadcasting;

/// <summary>The hub's live connections by id: what <see cref="ViewerFeeds"/> writes each page's messages to.</summary>
public interface IHubConnections
{
    HubConnectionContext? Find(string connectionId);
}

/// <summary>
/// SignalR's in-memory lifetime manager, plus a directory of the live connections, so that <see cref="ViewerFeeds"/>
/// can write one already-serialized message to every page of a room. Sending through <c>Clients.Client(id)</c>
/// serializes the message again for each page: with a lecture hall watching, that is most of the server's work.
/// Generic over the hub, which registers it for itself (<c>Hubs.HubsServiceCollectionExtensions</c>).
/// </summary>
public sealed class LabHubLifetimeManager<THub>(ILogger<DefaultHubLifetimeManager<THub>> logger)
    : DefaultHubLifetimeManager<THub>(logger), IHubConnections where THub : Hub
{
    private readonly ConcurrentDictionary<string, HubConnectionContext> _connections = new(StringComparer.Ordinal);

    /// <summary>Runs before the hub's own <c>OnConnectedAsync</c>, so a page is in the directory before its feed opens.</summary>
    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = connection;
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.TryRemove(connection.ConnectionId, out _);
        return base.OnDisconnectedAsync(connection);
    }

    public HubConnectionContext? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);
}
