namespace LockLab.Contracts;

/// <summary>
/// A device signed in as the presenter (<c>POST /api/presenter/session</c> with the key): it sends
/// <paramref name="Token"/> in place of the key, until <paramref name="ExpiresAt"/>.
/// </summary>
/// <param name="Token">Sent as <c>Authorization: Bearer …</c> (or the hub's <c>access_token</c>) in place of the key.</param>
/// <param name="ExpiresAt">After this, the key is asked for again.</param>
public sealed record PresenterSession(string Token, DateTimeOffset ExpiresAt);
