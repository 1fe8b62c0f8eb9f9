namespace LockLab.Server.Lessons;

/// <summary>
/// <c>{% include name %}</c>: the file <c>_includes/name</c> of the lesson's own lessons folder, as in a Jekyll site.
/// A lesson file is untrusted input: the name may not climb out (<c>../</c>, an absolute path), a link is followed only to
/// a file inside the same lessons folder, and the file is read under the same size bound as a lesson.
/// </summary>
public sealed partial class LessonLibrary
{
    /// <summary>The folder of each lessons folder that holds includes; its files are not lessons.</summary>
    public const string IncludesFolder = "_includes";

    /// <summary>The include's text, or null when there is no such file in <paramref name="root"/> or it may not be read.</summary>
    private string? ReadInclude(string root, string name)
    {
        if (name.Length == 0 || name.Contains('\0') || name.Contains('\\') || System.IO.Path.IsPathRooted(name)
            || name.Split('/').Any(part => part is "" or "." or ".."))
        {
            return null;
        }
        try
        {
            var path = System.IO.Path.Combine(root, IncludesFolder, name);
            if (!File.Exists(path) || Refusal(path, root) is not null) return null;
            return ReadAtMost(path, _maxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LessonFormatException
            or System.Text.DecoderFallbackException)
        {
            return null;
        }
    }
}
