using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Configuration;

/// <summary>Checks that the options of one kind can be built from the configuration as it is now.</summary>
public interface ISettingsValidation
{
    /// <summary>Empty when valid; otherwise one message per problem.</summary>
    IReadOnlyList<string> Validate();
}

public sealed class OptionsSettingsValidation<TOptions>(IOptionsFactory<TOptions> factory) : ISettingsValidation
    where TOptions : class
{
    public IReadOnlyList<string> Validate()
    {
        try
        {
            factory.Create(Options.DefaultName);
            return [];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures.ToArray();
        }
        catch (InvalidOperationException e)
        {
            // The binder throws this when a value has the wrong type ("abc" for a number, "Bogus" for a choice).
            return [BinderFailures.Describe(e.Message)];
        }
    }
}

/// <summary>
/// Rewrites the configuration binder's messages, which name configuration keys and .NET types
/// ("Failed to convert configuration value 'x' at 'LeanAssist:repl:proofStateTransfer' to type
/// 'LeanAssist.Lean.Pool.ProofStateTransfer'."), into the setting and the values the user can write.
/// </summary>
public static partial class BinderFailures
{
    public static string Describe(string message)
    {
        var match = Failure().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var setting = SettingName(match.Groups["key"].Value);
        var typeName = match.Groups["type"].Value;
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var expected = type switch
        {
            // The settings spell every choice in lower case (package.json's enums; a test keeps them equal).
            { IsEnum: true } => ListOf(Enum.GetNames(type).Select(n => n.ToLowerInvariant()).ToArray()),
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "a number",
            _ => null,
        };
        return expected is null
            ? $"{setting} has a value of the wrong kind (\"{match.Groups["value"].Value}\")."
            : $"{setting} must be {expected} (got \"{match.Groups["value"].Value}\").";
    }

    /// <summary>
    /// <c>LeanAssist:Prices:0:Model</c> → <c>leanAssist.prices[0].model</c> (the binder names properties,
    /// which are the camel-case settings with a capital first letter).
    /// </summary>
    private static string SettingName(string key)
    {
        var name = "leanAssist";
        foreach (var part in key.Split(':').Skip(1))
        {
            name += int.TryParse(part, out _) ? $"[{part}]" : "." + char.ToLowerInvariant(part[0]) + part[1..];
        }

        return name;
    }

    private static string ListOf(IReadOnlyList<string> values) =>
        values.Count == 1 ? values[0] : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];

    [GeneratedRegex("value '(?<value>.*)' at '(?<key>LeanAssist(:[^':]+)+)' to type '(?<type>[^']+)'", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Failure();
}
