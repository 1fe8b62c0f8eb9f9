using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace LockLab.Tests.Components;

/// <summary>What the lab's components need to render under bunit, as the page's services give it them.</summary>
public static class LabComponents
{
    /// <summary>
    /// A context with MudBlazor's services and localization (each component's L: English unless the test sets the UI
    /// culture). MudBlazor's JavaScript calls are answered loosely: no browser here.
    /// </summary>
    public static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        ctx.Services.AddLocalization();
        return ctx;
    }
}
