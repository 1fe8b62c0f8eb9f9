// The lab's REST API from the page: GET a JSON resource as text, which the page parses with its own
// source-generated JSON. (Through fetch directly: HttpClient would add its assemblies, ≈ 60 KB, to every page.)

export async function get(url, missing, credential) {
    const headers = { Accept: "application/json" };
    if (credential) headers.Authorization = `Bearer ${credential}`;
    const response = await fetch(url, { headers });
    if (missing.includes(response.status)) return null;
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
    return await response.text();
}

// Signs this device in as the presenter: the key goes to the server once, and the page keeps the session token it
// gets back (Security/PresenterSessions on the server). Answers the status and the body, for the page to read.
export async function signIn(key) {
    const response = await fetch("api/presenter/session", {
        method: "POST",
        headers: { Accept: "application/json", Authorization: `Bearer ${key}` },
    });
    return JSON.stringify({ status: response.status, body: await response.text() });
}
