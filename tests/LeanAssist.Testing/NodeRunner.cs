namespace LeanAssist.Testing;

/// <summary>Runs a Node script from the repository (tests that drive the server with npm packages).</summary>
public static class NodeRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Task<Result> RunAsync(string script, TimeSpan timeout, params string[] arguments) =>
        RunAsync(script, timeout, environment: null, arguments);

    /// <param name="environment">Variables added to the inherited environment.</param>
    public static async Task<Result> RunAsync(string script, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        try
        {
            var result = await ProcessRunner.RunAsync("node", [script, .. arguments], timeout, RepositoryPaths.RepositoryRoot, environment);
            return new Result(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Node.js (node) was not found on PATH: install Node 20 or later to run this test.", e);
        }
    }
}
