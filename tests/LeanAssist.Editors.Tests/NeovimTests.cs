using LeanAssist.Testing;
using Xunit.Abstractions;

namespace LeanAssist.Editors.Tests;

/// <summary>
/// Neovim's built-in LSP client (0.7 API) drives the real server: headless Lua in
/// Neovim/leanassist-client.lua, configured as docs/editors.md tells a user.
/// </summary>
[Collection(RealEditors.Collection)]
public sealed class NeovimTests(ITestOutputHelper output)
{
    [NeovimFact]
    public async Task Neovim_initializes_gets_a_verified_code_action_and_hover_at_a_sorry_and_the_server_exits_0()
    {
        RealClient.Neovim.AssertAvailable();
        using var scenario = new EditorScenario();
        var script = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "LeanAssist.Editors.Tests", "Neovim", "leanassist-client.lua");

        // -u NONE: no user configuration or plugins; the script is the whole configuration.
        var run = await scenario.RunAsync(RealClient.Neovim.Executable, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", $"luafile {script}");

        RealClientSession.AssertSucceeded(scenario, run, output);
    }
}

/// <summary>One editor at a time: each starts the server and Lean stand-ins on a machine with few cores.</summary>
[CollectionDefinition(Collection)]
public sealed class RealEditors
{
    public const string Collection = "real editors";
}
