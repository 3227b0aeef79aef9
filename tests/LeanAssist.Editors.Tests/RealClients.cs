using System.Diagnostics;

namespace LeanAssist.Editors.Tests;

/// <summary>
/// An editor whose own LSP client drives the server in these tests, found on this machine or not.
/// Absent, its tests skip with what to install; with <c>LEANASSIST_REAL_CLIENTS_REQUIRED=1</c> (CI) they
/// fail instead, so a CI image that lost an editor cannot pass by skipping.
/// </summary>
public sealed class RealClient
{
    public const string RequiredVariable = "LEANASSIST_REAL_CLIENTS_REQUIRED";

    private readonly Lazy<string?> _path;
    private readonly Lazy<string?> _missing;

    /// <param name="overrideVariable">Names another build of the editor to test (a path), instead of the one on PATH.</param>
    private RealClient(string name, string executable, string overrideVariable, string install, Func<string, string?> probe)
    {
        Name = name;
        Install = install;
        _path = new Lazy<string?>(() => Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } configured
            ? File.Exists(configured) ? Path.GetFullPath(configured) : null
            : Which(executable));
        _missing = new Lazy<string?>(() => _path.Value is { } path
            ? probe(path)
            : Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } configured
                ? $"{overrideVariable} names {configured}, which does not exist"
                : $"{executable} is not on PATH");
    }

    /// <summary>Neovim 0.7 or later: its built-in client, driven by headless Lua.</summary>
    public static RealClient Neovim { get; } = new("Neovim", "nvim", "LEANASSIST_NVIM", "apt-get install neovim (0.7 or later)", _ => null);

    /// <summary>Emacs with eglot, in batch mode: Emacs 29+ bundles eglot, Debian's Emacs 28 needs elpa-eglot.</summary>
    public static RealClient EmacsEglot { get; } = new("Emacs with eglot", "emacs", "LEANASSIST_EMACS", "apt-get install emacs-nox elpa-eglot", EglotProbe);

    public string Name { get; }

    /// <summary>The editor's executable (only when <see cref="Missing"/> is null).</summary>
    public string Executable => _path.Value ?? throw new InvalidOperationException($"{Name} is not available: {Missing}");

    /// <summary>What to install (Debian).</summary>
    public string Install { get; }

    /// <summary>Why the editor cannot run here, or null when it can.</summary>
    public string? Missing => _missing.Value;

    public static bool Required => Environment.GetEnvironmentVariable(RequiredVariable) == "1";

    /// <summary>The skip reason for a test of this editor: null when it runs (present, or required).</summary>
    public string? SkipReason => Missing is { } missing && !Required
        ? $"Skipped: {Name} is not available ({missing}). Install it with `{Install}`; set {RequiredVariable}=1 to fail instead of skipping."
        : null;

    /// <summary>Fails the running test when the editor is absent (only reached when it is required).</summary>
    public void AssertAvailable() =>
        Assert.True(Missing is null, $"{Name} is required here ({RequiredVariable}=1) but not available: {Missing}. Install it with `{Install}`.");

    private static string? Which(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);

    private static string? EglotProbe(string emacs)
    {
        try
        {
            var start = new ProcessStartInfo(emacs) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var argument in new[] { "--batch", "--eval", "(kill-emacs (if (require 'eglot nil t) 0 3))" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                return "emacs did not answer within 60 s";
            }

            return process.ExitCode == 0 ? null : "eglot cannot be loaded (`(require 'eglot)` failed)";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"emacs could not be started: {e.Message}";
        }
    }
}

/// <summary>A test that a real editor's LSP client runs; skipped when the editor is absent, unless it is required.</summary>
public sealed class NeovimFactAttribute : FactAttribute
{
    public NeovimFactAttribute() => Skip = RealClient.Neovim.SkipReason;
}

/// <inheritdoc cref="NeovimFactAttribute"/>
public sealed class EmacsEglotFactAttribute : FactAttribute
{
    public EmacsEglotFactAttribute() => Skip = RealClient.EmacsEglot.SkipReason;
}
