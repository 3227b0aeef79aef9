using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using LeanAssist.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.CommandLine;

/// <summary>Options several verbs share, and their mapping onto configuration keys.</summary>
public static class CommonOptions
{
    public static Option<string?> LogFile { get; } = new("--log-file")
    {
        Description = "Log file (default: one file per process under the LeanAssist cache directory; \"none\" for no file).",
    };

    public static Option<LogLevel?> LogLevel { get; } = new("--log-level")
    {
        Description = "Least severe log level written: Trace, Debug, Information, Warning, Error, Critical.",
    };

    public static Option<string?> Project { get; } = new("--project")
    {
        Description = "The Lean project (a Lake project directory, or a folder inside one). Default: the current directory's project, else lean_verifier.",
    };

    public static Option<string?> ReplCommand { get; } = new("--repl-command")
    {
        Description = "Replaces the REPL launch (default: lake env <repl>) with this command line, run in the project root (setting leanAssist.repl.command).",
    };

    public static Option<string?> Sandbox { get; } = CreateSandboxOption();

    public static Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the report as JSON.",
    };

    /// <summary>Configuration entries for the options that were given (absent options keep their defaults).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ToSettings(ParseResult result)
    {
        if (result.GetValue(LogFile) is { } logFile)
        {
            yield return new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.LogFile)}", logFile);
        }

        if (result.GetValue(LogLevel) is { } level)
        {
            yield return new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.LogLevel)}", level.ToString());
        }

        if (result.GetValue(ReplCommand) is { } replCommand)
        {
            yield return new($"{LeanAssist.Lean.Pool.ReplOptions.Section}:command", replCommand);
        }

        if (result.GetValue(Sandbox) is { } sandbox)
        {
            yield return new($"{LeanAssist.Lean.Pool.ReplOptions.Section}:sandbox", sandbox);
        }
    }

    private static Option<string?> CreateSandboxOption()
    {
        var option = new Option<string?>("--sandbox")
        {
            Description = "Run the REPL in the OS sandbox (bubblewrap on Linux): auto (where available, the default), required (refuse without it) or off (setting leanAssist.repl.sandbox).",
        };
        option.AcceptOnlyFromAmong("auto", "required", "off");
        return option;
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A custom parser for whole-number options: its error names the option and what it expects, where
    /// the library's names a .NET type ("System.Nullable`1[System.Int32]").
    /// </summary>
    public static T? WholeNumber<T>(ArgumentResult result)
        where T : struct, IBinaryInteger<T>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        var option = result.Parent is OptionResult { Option: var parsed } ? parsed.Name : result.Argument.Name;
        result.AddError($"{option} expects a whole number, not '{text}'.");
        return null;
    }

    /// <summary>
    /// Makes an argument refuse tokens that look like options (<c>--search</c>, <c>-x</c>) and are not existing files:
    /// the library would take an unknown option as one more path, and the user would read "No such file" about it.
    /// </summary>
    public static void RejectUnknownOptions(Argument<string[]> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        paths.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Select(t => t.Value))
            {
                if (token.Length > 1 && token[0] == '-' && !File.Exists(token) && !Directory.Exists(token))
                {
                    result.AddError($"Unknown option '{token}'.");
                }
            }
        });
    }

    /// <summary>A custom parser for positive decimal options (seconds, dollars), with an error that names the option.</summary>
    public static double? PositiveNumber(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value))
        {
            return value;
        }

        var option = result.Parent is OptionResult { Option: var parsed } ? parsed.Name : result.Argument.Name;
        result.AddError($"{option} expects a positive number, not '{text}'.");
        return null;
    }
}
