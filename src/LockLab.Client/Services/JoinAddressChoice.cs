using LockLab.Contracts;
using Microsoft.JSInterop;

namespace LockLab.Client.Services;

/// <summary>
/// The address students are told to open (join link, QR code, the projector's "Join at …"): one of those the lab offers
/// (<c>GET /api/join-addresses</c>, never loopback). When the machine has several (Wi-Fi and a cable, a virtual
/// switch), the presenter picks one and this browser remembers it, for the presenter's view and the projector alike.
/// </summary>
public sealed class JoinAddressChoice(LabApi api, IJSRuntime js)
{
    private const string StorageKey = "locklab.joinAddress";

    /// <summary>What the lab offers; null until <see cref="LoadAsync"/> has run.</summary>
    public JoinAddresses? Offered { get; private set; }

    /// <summary>The chosen address (a base URL such as <c>http://192.168.1.20:5080</c>); null when the lab offers none.</summary>
    public string? Chosen { get; private set; }

    /// <summary>The chosen address as people type it: without <c>http://</c>.</summary>
    public string? ChosenForTyping => Chosen is null ? null
        : Chosen.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Chosen["http://".Length..]
        : Chosen;

    public async Task LoadAsync()
    {
        try
        {
            Offered = await api.GetAsync("api/join-addresses", ClientJsonContext.Default.JoinAddresses);
        }
        catch (JSException)
        {
            return; // the lab did not answer: the page shows the room code alone, and a reload tries again
        }
        var remembered = await js.InvokeAsync<string?>("localStorage.getItem", StorageKey);
        var offered = Offered?.Addresses ?? [];
        Chosen = offered.FirstOrDefault(a => a == remembered) ?? offered.FirstOrDefault();
    }

    public async Task ChooseAsync(string? address)
    {
        if (address is null || Offered?.Addresses.Contains(address) != true) return;
        Chosen = address;
        await js.InvokeVoidAsync("localStorage.setItem", StorageKey, address);
    }
}
