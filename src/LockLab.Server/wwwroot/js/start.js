// Starts Blazor in the language the server chose for this page (<html lang>, Localization/LabLocalization): the .NET
// runtime then fetches that language's globalization data and satellite assemblies, and no other's.
// (A file, not an inline script: the content security policy allows scripts from the lab's own origin only.)
const culture = document.documentElement.lang || 'en';
globalThis.lockLabCulture = () => culture; // read by the client's Program.cs (Services/LabCulture.cs)
Blazor.start({ webAssembly: { applicationCulture: culture } });
