// The arrow keys of ARIA's tab pattern (Components/Live/RunTabs.razor), handled in the browser: the focus moves between a
// tab list's tabs as the key is pressed. Handled in .NET, the move would wait for a round trip when the page runs on the
// server, and an Enter pressed meanwhile would open the tab the focus was leaving. .NET hears of the move from the
// tab's focus event. (A classic script, loaded once per page: the listener is on the document.)
const moves = {
    ArrowRight: (at, count) => (at + 1) % count,
    ArrowLeft: (at, count) => (at + count - 1) % count,
    Home: () => 0,
    End: (_, count) => count - 1,
};
document.addEventListener('keydown', event => {
    const move = moves[event.key];
    const tab = move && event.target instanceof Element ? event.target.closest('[role=tab]') : null;
    const list = tab?.closest('[role=tablist]');
    if (!list || event.altKey || event.ctrlKey || event.metaKey) return;
    const tabs = [...list.querySelectorAll('[role=tab]')];
    const to = tabs[move(tabs.indexOf(tab), tabs.length)];
    event.preventDefault();
    to.focus(); // the tab stop (tabindex) follows in .NET, from the focus event: its render owns the attribute
});
