// Lesson page helpers: keyboard stepping and copy buttons on code blocks.
// Kept in one small module; the page attaches it once interactive and disposes it when it goes.

const keys = {
    ArrowRight: "next", PageDown: "next", " ": "next",
    ArrowLeft: "previous", PageUp: "previous",
    Home: "first", End: "last",
    "?": "help",
    // Closes the shortcuts. MudDialog closes on Escape too, but only once its own key handler is attached, which on a
    // page that runs on the server follows the dialog by a round trip: an Escape pressed at once would be lost.
    Escape: "close",
};

// Projection mode adds: text size, a blank screen, full screen, high contrast.
const projectionKeys = {
    "+": "zoom-in", "=": "zoom-in", "-": "zoom-out",
    b: "blank", B: "blank", f: "fullscreen", F: "fullscreen", h: "contrast", H: "contrast",
};

function typingInto(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return;
    }
    // Plain http on a classroom network is not a secure context: fall back to a hidden textarea.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
}

// The page's keys, once: a page resumed by Blazor in a new circuit (without a reload) attaches again, and its old
// circuit could not say it was done.
let attached = null;

export function attach(dotnet, projection) {
    attached?.dispose();
    const onKey = event => {
        if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typingInto(event.target)) return;
        const action = keys[event.key] || (projection ? projectionKeys[event.key] : undefined);
        if (!action) return;
        // Space on a focused button presses the button, as it should.
        if (event.key === " " && event.target && event.target.tagName === "BUTTON") return;
        if (action !== "close") event.preventDefault(); // Escape keeps its other meanings (the page ignores it if nothing is open)
        if (action === "fullscreen") {
            // Must happen inside the key event (browsers allow full screen only on a user gesture).
            if (document.fullscreenElement) document.exitFullscreen();
            else document.documentElement.requestFullscreen().catch(() => { });
            return;
        }
        dotnet.invokeMethodAsync("OnShortcut", action);
    };
    const onClick = async event => {
        const button = event.target.closest && event.target.closest(".code-copy");
        if (!button) return;
        const code = button.parentElement.querySelector("pre");
        try {
            await copyText(code ? code.innerText : "");
            button.textContent = "Copied";
        } catch {
            button.textContent = "Copy failed";
        }
        setTimeout(() => { button.textContent = "Copy"; }, 1500);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    const handle = {
        dispose() {
            document.removeEventListener("keydown", onKey);
            document.removeEventListener("click", onClick);
            if (attached === handle) attached = null;
        },
    };
    return attached = handle;
}

// A follower's phone, when a run starts: the live panel (which the page has just moved above the lesson text) is
// scrolled into view, unless it already is. Only on narrow screens, where the panel is not beside the text.
export function revealLiveOnNarrow(element) {
    if (!element || !window.matchMedia("(max-width: 959.98px)").matches) return;
    const box = element.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight / 3) element.scrollIntoView({ block: "start" });
}
