namespace LockLab.Server.Security;

/// <summary>
/// The address a client's allowances are counted against (key attempts, runs, reads, connections): the connection's
/// remote address, which is the client's own once forwarded headers are applied behind the school's proxy.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext? http) => http?.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
