using LockLab.Client;
using LockLab.Client.Services;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

StartupMarks.Mark(StartupMarks.Main);
LabCulture.Apply(); // before the host runs: it loads the satellite assembly of the culture current then
var builder = WebAssemblyHostBuilder.CreateDefault(args);
// Imported while the host starts, not when the page first connects (see HubClient.ImportModuleAsync).
if (OperatingSystem.IsBrowser()) _ = HubClient.ImportModuleAsync(new Uri(builder.HostEnvironment.BaseAddress));
builder.Services.AddLabClientServices();
var host = builder.Build();
StartupMarks.Mark(StartupMarks.HostBuilt);
await host.RunAsync();
