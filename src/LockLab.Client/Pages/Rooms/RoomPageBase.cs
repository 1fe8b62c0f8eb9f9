using LockLab.Client.Services;
using LockLab.Contracts;
using Microsoft.AspNetCore.Components;

namespace LockLab.Client.Pages.Rooms;

/// <summary>
/// What every room page shares: the room (found by code, a clear "no such room" otherwise), the lesson page the
/// presenter shows, and following it live as the presenter moves on.
/// </summary>
public abstract class RoomPageBase : ComponentBase, IDisposable
{
    [Inject] protected LabConnection Lab { get; set; } = default!;
    [Inject] protected ILessonSource Lessons { get; set; } = default!;
    [Inject] protected IRoomLookup Rooms { get; set; } = default!;
    [Inject] protected NavigationManager Navigation { get; set; } = default!;

    [Parameter] public string Code { get; set; } = "";

    /// <summary>The room as it was when the page was (pre)rendered; carried into the interactive page.</summary>
    [PersistentState] public RoomState? Room { get; set; }

    [PersistentState] public LessonDocument? Lesson { get; set; }

    [PersistentState] public int PageNumber { get; set; }

    /// <summary>
    /// The room was looked up when the page was (pre)rendered: a room that was not found then is not asked for again by
    /// the interactive page, whose 404 the browser would report as a failed request on the console.
    /// </summary>
    [PersistentState] public bool RoomLookedUp { get; set; }

    protected bool Loaded { get; private set; }

    /// <summary>False once a follower detaches to browse on their own.</summary>
    protected bool Following { get; set; } = true;

    /// <summary>The presenter's view asks for speaker notes (given only to a signed-in presenter).</summary>
    protected virtual bool WithNotes => false;

    protected LessonPage? CurrentPage => Lesson?.Pages.FirstOrDefault(p => p.Number == PageNumber);

    protected LessonPage? NextPage => Lesson?.Pages.FirstOrDefault(p => p.Number == PageNumber + 1);

    protected override async Task OnInitializedAsync()
    {
        if (!RoomLookedUp) Room = await Rooms.FindAsync(Code); // a restored room comes with the flag: both are persisted
        RoomLookedUp = true;
        if (PageNumber < 1) PageNumber = 1;
        if (Room?.Lesson is { } slug && Lesson?.Slug != slug)
        {
            Lesson = await Lessons.GetAsync(slug, WithNotes);
            PageNumber = Room.Page;
        }
        Loaded = true;
        Lab.Changed += OnLabChanged;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !RendererInfo.IsInteractive || Room is null) return;
        await Lab.ConnectAsync(Code);
        await OnConnectedAsync();
    }

    /// <summary>Runs once the page is interactive and in the room.</summary>
    protected virtual Task OnConnectedAsync() => FollowAsync();

    private bool _refreshQueued;

    /// <summary>
    /// What a room page shows of the lab's news besides its live panel: the room's page, who is watching, the connection,
    /// and which run is on and in what state. A streaming big run's lines and figures redraw themselves
    /// (<see cref="Components.Live.LiveRegion"/>); redrawing the page around them, lesson text and panel included, ten times
    /// a second is what they spare.
    /// </summary>
    private object RoomState => (Lab.Room, Lab.RoomLesson, Lab.RoomPage, Lab.Viewers, Lab.Status, Lab.HasPresenterKey,
        Lab.LastError, Lab.Current, Lab.Current?.Info, Lab.StudentsVersion);

    private object? _drawnState;

    protected override bool ShouldRender()
    {
        _drawnState = RoomState;
        return true;
    }

    /// <summary>Follows the lab's news, one redraw for everything that arrived meanwhile.</summary>
    private void OnLabChanged()
    {
        if (Lab.StreamsBigRun && Equals(RoomState, _drawnState)) return;
        if (_refreshQueued) return;
        _refreshQueued = true;
        _ = InvokeAsync(async () =>
        {
            _refreshQueued = false;
            if (Following) await FollowAsync();
            StateHasChanged();
        });
    }

    /// <summary>Shows the page the presenter shows.</summary>
    protected async Task FollowAsync()
    {
        if (Lab.Room != Code || Lab.RoomLesson is not { } slug) return;
        if (Lesson?.Slug != slug)
        {
            var lesson = await Lessons.GetAsync(slug, WithNotes);
            if (Lab.RoomLesson != slug) return; // moved on meanwhile
            Lesson = lesson;
        }
        PageNumber = Lab.RoomPage;
    }

    public virtual void Dispose()
    {
        Lab.Changed -= OnLabChanged;
        GC.SuppressFinalize(this);
    }
}
