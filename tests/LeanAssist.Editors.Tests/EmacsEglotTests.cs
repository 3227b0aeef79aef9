using LeanAssist.Testing;
using Xunit.Abstractions;

namespace LeanAssist.Editors.Tests;

/// <summary>
/// Emacs's eglot drives the real server: batch mode, Emacs/leanassist-client.el, configured as
/// docs/editors.md tells a user (a <c>lean4-mode</c>, <c>eglot-server-programs</c>, <c>eglot-workspace-configuration</c>).
/// </summary>
[Collection(RealEditors.Collection)]
public sealed class EmacsEglotTests(ITestOutputHelper output)
{
    [EmacsEglotFact]
    public async Task Eglot_initializes_gets_a_verified_code_action_and_hover_at_a_sorry_and_the_server_exits_0()
    {
        RealClient.EmacsEglot.AssertAvailable();
        using var scenario = new EditorScenario();
        var script = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "LeanAssist.Editors.Tests", "Emacs", "leanassist-client.el");

        // --batch loads no init file (site-start.el still runs: Debian activates elpa-eglot there).
        var run = await scenario.RunAsync(RealClient.EmacsEglot.Executable, "--batch", "-l", script);

        RealClientSession.AssertSucceeded(scenario, run, output);
    }
}
