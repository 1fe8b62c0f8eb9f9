// The lab's REST API from the page: GET a JSON resource as text, which the page parses with its own
// source-generated JSON. (Through fetch directly: HttpClient would add its assemblies, ≈ 60 KB, to every page.)

export async function get(url, missing) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (missing.includes(response.status)) return null;
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
    return await response.text();
}
