using LockLab.Client;
using LockLab.Client.Services;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;

StartupMarks.Mark(StartupMarks.Main);
LabCulture.Apply(); // before the host runs: it loads the satellite assembly of the culture current then
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.Services.AddLabClientServices();
var host = builder.Build();
StartupMarks.Mark(StartupMarks.HostBuilt);
await host.RunAsync();
