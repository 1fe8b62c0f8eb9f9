namespace LockLab.Contracts;

/// <summary>
/// The server's own sentences that are kept and shown to many people at once: why a run ended (<see cref="RunErrors"/>,
/// <see cref="RunInfo.Error"/>, seen by a whole room and kept in the history), a lesson's warnings
/// (<see cref="LessonWarnings"/>), why a lesson cannot be shown (<see cref="LessonErrors"/>) and the advice on where students can join (<see cref="JoinAdvice"/>). The server
/// writes them in English, whoever asked; each page shows them in its own language: the client's resources have every
/// one of these texts as a key (a template's translation with the same holes), and <see cref="Match"/> reads a sentence
/// back into its template and values. A sentence that is none of these (an operating system's message) stays as it is.
/// </summary>
public static class ServerTexts
{
    public static readonly IReadOnlyList<string> All =
        [.. RunErrors.All, .. LessonWarnings.All, .. LessonErrors.All, .. JoinAdvice.All, .. StudentLabels.All];

    private static readonly TextTemplates Templates = new(All);
    private static readonly HashSet<string> Plain = [.. All.Where(t => !TextTemplates.HasHoles(t))];

    /// <summary>The server text <paramref name="text"/> is (its template and the values in its holes), or null.</summary>
    public static (string Template, string[] Values)? Match(string text) =>
        Plain.Contains(text) ? (text, []) : Templates.Match(text);
}

/// <summary>How a room labels its students' runs (<see cref="RunInfo.Student"/>), in English (see <see cref="ServerTexts"/>).</summary>
public static class StudentLabels
{
    /// <summary>{0}: the student's number in the room, in the order students first joined as students.</summary>
    public const string Numbered = "Student {0}";

    public static readonly IReadOnlyList<string> All = [Numbered];
}

/// <summary>Why a run ended other than completed: <see cref="RunInfo.Error"/>, in English (see <see cref="ServerTexts"/>).</summary>
public static class RunErrors
{
    public const string StoppedByPresenter = "Stopped by the presenter.";
    /// <summary>A student's run its student stopped (queued or running).</summary>
    public const string StoppedByStudent = "Stopped by the student who started it.";
    /// <summary>A run that ended <see cref="RunStatus.Deadlocked"/>; its summary names the cycle.</summary>
    public const string Deadlocked = "Deadlock: no process can move.";
    public const string ServerShuttingDown = "The server is shutting down.";
    /// <summary>A student's run still queued when the presenter switched students' runs off.</summary>
    public const string StudentRunsSwitchedOff = "The presenter switched students' runs off before this run's turn came.";
    public const string EndedUnexpectedly = "The run ended unexpectedly.";
    public const string InternalError = "Internal error: {0}";
    /// <summary>{0}: seconds.</summary>
    public const string TimeLimitExceeded = "The run exceeded its time limit of {0} s; its worker processes were killed.";
    /// <summary>{0}: the limit.</summary>
    public const string TooManyEvents = "The run reported more than {0} events (LockLab:Limits:MaxEventsPerRun); it was stopped.";
    /// <summary>{0}, {1}: the round, the rounds.</summary>
    public const string WorkerFailedInRound = "A worker failed in round {0} of {1}.";
    /// <summary>{0}: seconds.</summary>
    public const string WorkersNotReady = "The worker processes were not ready within {0} s.";
    public const string WorkerExitedBeforeJob = "A new worker process exited before it could be given its job.";

    // A worker that died: {0} its process (p1), {1} its pid, {2} its exit code, {3} what it wrote to its error output.
    public const string WorkerDied = "{0} (pid {1}) died: it exited with code {2}.";
    public const string WorkerDiedSaying = "{0} (pid {1}) died: it exited with code {2}: {3}";
    // Dead with the lock in hand: the others would wait forever for it (with Python's lock they would).
    public const string WorkerDiedHoldingLock = "{0} (pid {1}) died while holding the lock: it exited with code {2}.";
    public const string WorkerDiedHoldingLockSaying = "{0} (pid {1}) died while holding the lock: it exited with code {2}: {3}";

    // A worker that broke the protocol (a bug in the lab): {0} its process.
    public const string LineTooLong = "{0} wrote a line longer than {1} bytes.";
    public const string IncompleteLine = "{0} ended with an incomplete line.";
    public const string NotAnEvent = "{0} wrote something that is not an event: {1}";
    public const string NotItsOwnEvent = "{0} (pid {1}) reported an event that is not its own.";
    public const string TicketTwice = "Ticket {0} was reported twice.";

    /// <summary>Marked by the history when this server starts again: the run was cut off by a restart.</summary>
    public const string ServerStopped = "The server stopped while this run was going; the events it had reported are kept.";
    /// <summary>Marked by another instance: the one running the run stopped answering.</summary>
    public const string InstanceStopped = "The lab instance running this run stopped; the events it had reported are kept.";

    public static readonly IReadOnlyList<string> All =
    [
        Deadlocked,
        StoppedByPresenter, StoppedByStudent, ServerShuttingDown, StudentRunsSwitchedOff, EndedUnexpectedly, InternalError, TimeLimitExceeded, TooManyEvents,
        WorkerFailedInRound, WorkersNotReady, WorkerExitedBeforeJob, WorkerDied, WorkerDiedSaying, WorkerDiedHoldingLock,
        WorkerDiedHoldingLockSaying, LineTooLong, IncompleteLine, NotAnEvent, NotItsOwnEvent, TicketTwice, ServerStopped,
        InstanceStopped,
    ];
}

/// <summary>
/// What the lesson loader warns a lesson's author of (<see cref="LessonSummary.Warnings"/>), in English (see
/// <see cref="ServerTexts"/>). {0} is mostly the <c>lab</c> entry's key.
/// </summary>
public static class LessonWarnings
{
    /// <summary>{0}: the date as written.</summary>
    public const string NotADate = "The date '{0}' is not a date like 2016-11-3; it is shown as written.";
    public const string HeadingsNotAList = "'post-headings' should be a list; it was ignored.";
    /// <summary>{0}: the tag as written, <c>{% name %}</c>.</summary>
    public const string UnsupportedLiquidTag = "The Liquid tag '{0}' is not supported by the lab; it is shown as written.";
    /// <summary>{0}: the file (the lesson's, or an include's), {1}: the line, {2}: what the Liquid parser said.</summary>
    public const string LiquidSyntaxError = "{0}, line {1}: the Liquid could not be read ({2}); its tags are shown as written.";
    /// <summary>{0}: the file, {1}: which limit (the Liquid engine's words).</summary>
    public const string LiquidTooMuch = "{0}: the Liquid did too much work or wrote too much ({1}); its tags are shown as written.";
    /// <summary>{0}: the variable, as written (<c>site.baseurl</c>).</summary>
    public const string UnknownLiquidVariable = "The Liquid variable '{0}' is not known to the lab; it shows as nothing.";
    /// <summary>{0}: the file named by <c>{% include %}</c>.</summary>
    public const string IncludeNotFound = "The include '{0}' is not in the _includes folder of the lessons folder; it was left out.";
    /// <summary>{0}: the file, {1}: how deep includes may nest, {2}: how many a lesson may have.</summary>
    public const string IncludeTooDeep =
        "The include '{0}' was left out: includes may nest {1} deep and a lesson may have {2} of them.";
    /// <summary>{0}: headings listed, {1}: markers in the text.</summary>
    public const string ExtraHeadings =
        "'post-headings' lists {0} headings but the text has {1} heading marker(s); the extra headings are not shown.";
    /// <summary>{0}: markers in the text, {1}: headings listed.</summary>
    public const string MissingHeadings = "The text has {0} heading markers but 'post-headings' lists only {1}; the rest are called 'Part n'.";
    public const string NoTitle = "The front matter has no 'title'; the file name is used.";
    public const string LabNotAMap = "'lab' should map section numbers to scenarios, e.g. 'lab: { 1: no-lock, 2: lock }'; it was ignored.";
    public const string LabKeyNotASection = "'lab' key '{0}' is not a section number (1, 2, …) or 'intro'; it was ignored.";
    public const string LabEntryWithoutScenario = "'lab' entry '{0}' needs a scenario or a program; it was ignored.";
    /// <summary>{1}: the scenario named, {2}: the scenarios there are.</summary>
    public const string LabEntryUnknownScenario = "'lab' entry '{0}' names an unknown scenario '{1}' (known: {2}); it was ignored.";
    /// <summary>{1}: the field.</summary>
    public const string LabEntryNotAWholeNumber = "'lab' entry '{0}': '{1}' should be a whole number; it was ignored.";
    public const string LabEntryAmountsNotNumbers = "'lab' entry '{0}': 'amounts' should be a list of whole numbers; it was ignored.";
    public const string LabEntryStartMode = "'lab' entry '{0}': startMode: " + StartModes.Rule + " It was ignored.";
    /// <summary>{1}: the line of the lesson file, {2}: what is wrong (the program reader's words, in English).</summary>
    public const string LabEntryProgramErrorAt =
        "'lab' entry '{0}': the program has an error on line {1}: {2} The page runs no experiment.";
    /// <summary>{1}: what is wrong (the program reader's words, in English): a program given as a mapping has no lines.</summary>
    public const string LabEntryProgramError = "'lab' entry '{0}': the program has an error: {1} The page runs no experiment.";
    public const string LabEntryProgramNotAProgram =
        "'lab' entry '{0}': 'program' should be the program's text ('program: |' and the lines below) or a mapping " +
        "with 'shared', 'locks' and 'processes'; the page runs no experiment.";

    public static readonly IReadOnlyList<string> All =
    [
        NotADate, HeadingsNotAList, UnsupportedLiquidTag, LiquidSyntaxError, LiquidTooMuch, UnknownLiquidVariable,
        IncludeNotFound, IncludeTooDeep, ExtraHeadings, MissingHeadings, NoTitle, LabNotAMap,
        LabKeyNotASection, LabEntryWithoutScenario, LabEntryUnknownScenario, LabEntryNotAWholeNumber,
        LabEntryAmountsNotNumbers, LabEntryStartMode, LabEntryProgramErrorAt, LabEntryProgramError,
        LabEntryProgramNotAProgram,
    ];
}

/// <summary>
/// Why a lesson file cannot be shown (<see cref="LessonSummary.Error"/>), in English (see <see cref="ServerTexts"/>):
/// {0} is the file's name. What a parser or the system says in a hole (YamlDotNet's message) stays as it came.
/// </summary>
public static class LessonErrors
{
    public const string FrontMatterNotClosed =
        "{0}: The front matter starts with '---' on line 1 but is never closed by a second '---' line.";
    /// <summary>{1}: its length, {2}: the most that is read.</summary>
    public const string FrontMatterTooLong = "{0}: The front matter is {1} characters long; at most {2} are read.";
    /// <summary>{1}, {2}: the line in the file and the column, {3}: the YAML parser's message.</summary>
    public const string FrontMatterNotYaml = "{0}: The front matter is not valid YAML (line {1}, column {2}): {3}";
    public const string FrontMatterNotAMap = "{0}: The front matter must be a YAML mapping of keys to values (title: …, date: …).";
    /// <summary>{1}: the most aliases.</summary>
    public const string TooManyAliases = "{0}: The front matter uses more than {1} YAML aliases (*name); a lesson needs none.";
    /// <summary>{1}: its size, {2}: the most, in MB.</summary>
    public const string TooLarge = "{0}: The file is {1} MB; a lesson file may be at most {2} MB (LockLab:MaxLessonBytes).";
    public const string DanglingLink = "{0}: The file is a link to a file that does not exist.";
    /// <summary>{1}: the system's message.</summary>
    public const string LinkNotFollowed = "{0}: The file is a link that cannot be followed: {1}";
    public const string LinkOutside = "{0}: The file is a link to a file outside the lessons folder; it is not read.";
    public const string Empty = "{0}: The file is empty (or not a regular file); it is not read.";
    /// <summary>{1}: milliseconds.</summary>
    public const string TooSlow = "{0}: The file took too long to read (a line defeated a pattern for over {1} ms).";
    /// <summary>{1}: the system's message.</summary>
    public const string NotReadable = "{0}: The file could not be read: {1}";
    /// <summary>{1}: the exception's type, {2}: its message (a bug in the lab, logged too).</summary>
    public const string NotParsed = "{0}: The file could not be parsed ({1}): {2}";

    public static readonly IReadOnlyList<string> All =
    [
        FrontMatterNotClosed, FrontMatterTooLong, FrontMatterNotYaml, FrontMatterNotAMap, TooManyAliases, TooLarge,
        DanglingLink, LinkNotFollowed, LinkOutside, Empty, TooSlow, NotReadable, NotParsed,
    ];
}

/// <summary>
/// Why the lab offers no address to join at (<see cref="JoinAddresses.Advice"/>), in English (see
/// <see cref="ServerTexts"/>): the presenter's page shows it, and the server's console logs it.
/// </summary>
public static class JoinAdvice
{
    public const string UnknownAddress = "This lab does not know which address it listens on, so it cannot tell students where to join. "
        + "Set LockLab:PublicUrl to the address they should open.";
    /// <summary>{0}: the addresses it listens on, {1}: its port.</summary>
    public const string LoopbackOnly = "The lab listens only on this computer ({0}): students' devices cannot reach it. "
        + "Stop it and start it so that it listens on the network: "
        + "dotnet run --project src/LockLab.Server -c Release -- --urls http://*:{1} "
        + "(or, behind a proxy or a DNS name, set LockLab:PublicUrl).";

    public static readonly IReadOnlyList<string> All = [UnknownAddress, LoopbackOnly];
}

/// <summary>
/// What is wrong with a run request that gives a program (<c>POST /api/runs {"program": …}</c>), as validation entries
/// (Problems.zh-CN.resx has each one's translation). What is wrong inside the program itself is
/// <see cref="Experiments.ProgramMessages"/>'s, placed on its process and step.
/// </summary>
public static class ProgramRequestTexts
{
    public const string ScenarioAndProgram = "Give a scenario or a program, not both.";
    public const string SetByTheProgram = "A program says this itself: leave it out of a request that gives a program.";
    public const string OneRound = "A run of a program or of this scenario is one round: leave rounds out, or give 1.";
    public const string NoPermits = "Only the semaphore scenario has permits.";
}
