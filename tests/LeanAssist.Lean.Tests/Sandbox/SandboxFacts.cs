using LeanAssist.Lean.Sandbox;

namespace LeanAssist.Lean.Tests.Sandbox;

/// <summary>A fact that needs a working bubblewrap; skipped, saying why, where there is none (.ci/run installs it).</summary>
public sealed class BubblewrapFactAttribute : FactAttribute
{
    public BubblewrapFactAttribute()
    {
        if (BubblewrapProbe.FromProcess.Check().Problem is { } problem)
        {
            Skip = "Skipped: no REPL sandbox here: " + problem;
        }
    }
}
