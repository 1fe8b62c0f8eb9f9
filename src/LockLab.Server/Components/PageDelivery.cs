using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace LockLab.Server.Components;

/// <summary>
/// How a page reaches the browser fast (see the page-load section of docs/benchmarks.md for the figures): the
/// prerendered HTML compressed, and the WebAssembly client spared work it does not need before its first render.
/// Static files are compressed at publish time and served by <c>MapStaticAssets</c>; this covers the rest.
/// </summary>
public static class PageDelivery
{
    /// <summary>
    /// The prerendered HTML compressed, where each page runs (<see cref="PageInteractivity"/>), and the WebAssembly
    /// runtime's files named in the page for preloading (<see cref="FrameworkFiles"/>).
    /// </summary>
    public static IServiceCollection AddPageDelivery(this IServiceCollection services)
    {
        services.AddSingleton<FrameworkFiles>();
        services.AddSingleton<PageInteractivity>();
        services.AddSingleton<OpenCircuits>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, OpenCircuits.Tally>();
        return services.AddPageCompression();
    }

    /// <summary>
    /// Compresses the prerendered HTML (a lesson page is ≈ 50 KB, ≈ 14 KB compressed). Only HTML: API and hub
    /// responses stay as they are, and static files arrive already compressed. Only over plain HTTP, which is how
    /// the lab is served in a classroom: a page carries an antiforgery token in its persisted state, and over HTTPS
    /// compressing it beside text taken from the address (the room code) would open the BREACH side channel.
    /// </summary>
    private static IServiceCollection AddPageCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = false;
            o.MimeTypes = ["text/html"];
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return services;
    }

    /// <summary>
    /// By default every page tells the WebAssembly client where the list of all static assets is
    /// (<c>_framework/resource-collection.js</c>, ≈ 90 KB of JavaScript), and the client downloads and deserializes
    /// it before it renders anything, so that components can look up fingerprinted names with <c>@Assets[…]</c>.
    /// Only the server's <c>App.razor</c> does that here, so the client is not told: it starts rendering sooner.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder WithoutClientAssetList(this RazorComponentsEndpointConventionBuilder builder)
    {
        // The metadata type is internal to ASP.NET Core; "Finally" runs after the convention that adds it.
        builder.Finally(endpoint =>
        {
            for (var i = endpoint.Metadata.Count - 1; i >= 0; i--)
            {
                if (endpoint.Metadata[i]?.GetType().Name == "ResourceCollectionUrlMetadata") endpoint.Metadata.RemoveAt(i);
            }
        });
        return builder;
    }
}
