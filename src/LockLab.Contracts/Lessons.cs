namespace LockLab.Contracts;

/// <summary>A lesson as the catalog lists it (<c>GET /api/lessons</c>).</summary>
/// <param name="Error">Set when the file could not be loaded (e.g. broken front matter); the lesson then has no pages.</param>
public sealed record LessonSummary(
    string Slug,
    string Title,
    string? Description,
    string? Chapter,
    string? Date,
    string? Author,
    string? Language,
    int PageCount,
    string? Error,
    IReadOnlyList<string> Warnings);

/// <summary>One lesson, split into pages (<c>GET /api/lessons/{slug}</c>).</summary>
/// <param name="Metadata">Front-matter keys the lab does not use itself (<c>youtube_id</c>, …), kept as they were.</param>
public sealed record LessonDocument(LessonSummary Summary, IReadOnlyList<LessonPage> Pages, IReadOnlyDictionary<string, string> Metadata)
{
    public string Slug => Summary.Slug;

    /// <summary>The lesson as anyone may see it: speaker notes are for the presenter alone.</summary>
    public LessonDocument WithoutNotes() =>
        Pages.Any(p => p.NotesHtml is not null) ? this with { Pages = [.. Pages.Select(p => p with { NotesHtml = null })] } : this;
}

/// <summary>
/// One page of a lesson: the text before the first section heading (the intro), or one section.
/// </summary>
/// <param name="Number">1-based, as in the page's URL <c>/lessons/{slug}/{number}</c>.</param>
/// <param name="Html">Rendered, sanitized HTML: safe to insert as is.</param>
/// <param name="Experiment">The run that belongs to this page (scenario and overrides), if any.</param>
/// <param name="NotesHtml">
/// Speaker notes (<c>```notes</c> blocks), for the presenter's view only: sent only to a caller with the presenter key
/// or session (<see cref="LessonDocument.WithoutNotes"/>).
/// </param>
public sealed record LessonPage(int Number, string Title, string Anchor, string Html, RunRequest? Experiment, string? NotesHtml = null);
