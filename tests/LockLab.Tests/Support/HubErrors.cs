using LockLab.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace LockLab.Tests.Support;

/// <summary>The lab's error in a refused hub call, as a page reads it (<see cref="LabError"/>).</summary>
public static class HubErrors
{
    /// <summary>SignalR puts its own words before the server's; the lab's error is what follows them.</summary>
    public static LabError Of(HubException refused)
    {
        const string marker = "HubException: ";
        var at = refused.Message.IndexOf(marker, StringComparison.Ordinal);
        return LabError.FromHubMessage(at < 0 ? refused.Message : refused.Message[(at + marker.Length)..]);
    }
}
