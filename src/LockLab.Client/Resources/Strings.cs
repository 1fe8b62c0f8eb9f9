namespace LockLab.Client.Resources;

/// <summary>
/// The lab's own words: <c>IStringLocalizer&lt;Strings&gt;</c> (injected as <c>L</c> in every component). A key is the
/// English text itself, so the English UI needs no resource file and reads naturally in the source; each other language
/// has <c>Strings.{culture}.resx</c> beside this file, compiled into a satellite assembly that the page loads for its
/// language only. A test fails when a key has no translation, or when a component shows text not passed through
/// <c>L</c>.
/// </summary>
public sealed class Strings;
