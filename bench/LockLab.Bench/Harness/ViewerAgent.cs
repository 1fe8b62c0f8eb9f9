namespace LockLab.Bench.Harness;

public static class ViewerAgent
{
    public const string Command = "viewer-agent";
    public static Task<int> RunAsync(string[] args) => throw new NotImplementedException();
}
