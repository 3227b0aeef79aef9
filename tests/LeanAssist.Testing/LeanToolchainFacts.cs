using LeanAssist.Lean.Toolchain;
using Xunit;

namespace LeanAssist.Testing;

/// <summary>
/// A fact about machines without a Lean toolchain (what setup and doctor say then). Skipped, saying so,
/// where lake is installed: its subject would not be what the test checks.
/// </summary>
public sealed class WithoutLeanToolchainFactAttribute : FactAttribute
{
    public WithoutLeanToolchainFactAttribute()
    {
        if (new LeanToolchainLocator().Locate(new ToolchainOptions()).Lake is { } lake)
        {
            Skip = $"Skipped: a Lean toolchain is installed here ({lake}); this test is about machines without one.";
        }
    }
}
