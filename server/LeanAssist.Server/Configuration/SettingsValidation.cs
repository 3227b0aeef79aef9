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
            // The binder throws this when a value has the wrong type ("abc" for a number).
            return [e.Message];
        }
    }
}
