namespace LockLab.Server.Lessons;

/// <summary>
/// Lesson files are untrusted input (anyone who can write to <c>LockLab:LessonsPath</c>, or a file downloaded from the
/// internet): what reading one may cost is bounded, and a file beyond a bound is listed as broken with the reason.
/// The file size bound is configurable (<c>LockLab:MaxLessonBytes</c>); these are not.
/// </summary>
public static class LessonLimits
{
    /// <summary>Every pattern the loader matches a lesson's text with gives up after this (a hostile line cannot stall it).</summary>
    public const int RegexTimeoutMs = 1000;

    /// <summary>The YAML front matter: a few keys and an experiment block need far less.</summary>
    public const int MaxFrontMatterChars = 64 * 1024;

    /// <summary>YAML aliases (<c>*name</c>) in the front matter: a "billion laughs" expands a handful of them exponentially.</summary>
    public const int MaxAliases = 20;

    /// <summary>How much of a front-matter value the lab keeps as metadata.</summary>
    public const int MaxMetadataChars = 2000;

    /// <summary>Folders below a lessons folder that are searched.</summary>
    public const int MaxFolderDepth = 8;

    /// <summary>Includes inside includes: a file that includes itself stops here.</summary>
    public const int MaxIncludeDepth = 8;

    /// <summary>Includes in one lesson, all depths together: one that includes another ten times, ten deep, stops here.</summary>
    public const int MaxIncludes = 200;

    /// <summary>A Liquid tag, <c>{%</c> to <c>%}</c>: one that does not close within this is an error, not read further.</summary>
    public const int MaxLiquidTagChars = 2000;

    /// <summary>Liquid's steps (loop iterations and the like) while one lesson renders.</summary>
    public const int MaxLiquidSteps = 100_000;

    /// <summary>What one lesson's Liquid may write, in characters.</summary>
    public const int MaxLiquidOutputChars = 4 * 1024 * 1024;

    /// <summary>How long one lesson's Liquid may take to render.</summary>
    public static readonly TimeSpan LiquidTimeout = TimeSpan.FromSeconds(2);
}
