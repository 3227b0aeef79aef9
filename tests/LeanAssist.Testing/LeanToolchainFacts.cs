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

/// <summary>A fact that uses POSIX shell scripts as fake tools; skipped on Windows, saying so.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Skipped: this test runs shell scripts as stand-ins for git and lake (not on Windows).";
        }
    }
}

/// <summary>A fact about Linux behavior (/proc, zombie processes); skipped elsewhere, saying so.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Skipped: this test checks Linux behavior (/proc and unreaped child processes).";
        }
    }
}
