using Microsoft.Extensions.Options;

namespace LeanAssist.Lean.Toolchain;

/// <summary>The <c>leanAssist.toolchain.*</c> settings (configuration section <c>LeanAssist:toolchain</c>): where the Lean tools are.</summary>
public sealed class ToolchainOptions
{
    public const string Section = "LeanAssist:toolchain";

    /// <summary>The <c>elan</c> executable. Empty: searched in ELAN_HOME/bin, PATH and ~/.elan/bin.</summary>
    public string? ElanPath { get; set; }

    /// <summary>The <c>lake</c> executable. Empty: searched like elan.</summary>
    public string? LakePath { get; set; }

    /// <summary>The <c>lean</c> executable. Empty: searched like elan.</summary>
    public string? LeanPath { get; set; }

    /// <summary>The <c>lean_verifier</c> project used for standalone files. Empty: found beside the LeanAssist installation.</summary>
    public string? VerifierProject { get; set; }

    /// <summary>Where REPL builds go, one folder per toolchain. Empty: <c>repl/</c> under the LeanAssist cache directory.</summary>
    public string? ReplBuildDirectory { get; set; }
}

public sealed class ToolchainOptionsValidation : IValidateOptions<ToolchainOptions>
{
    public ValidateOptionsResult Validate(string? name, ToolchainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (setting, path) in new[] { ("elanPath", options.ElanPath), ("lakePath", options.LakePath), ("leanPath", options.LeanPath) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(Environment.ExpandEnvironmentVariables(path)))
            {
                failures.Add($"leanAssist.toolchain.{setting} points to {path}, which does not exist.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.VerifierProject) && !Directory.Exists(Environment.ExpandEnvironmentVariables(options.VerifierProject)))
        {
            failures.Add($"leanAssist.toolchain.verifierProject points to {options.VerifierProject}, which is not a directory.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
