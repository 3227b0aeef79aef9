using LeanAssist.Suggestions.Llm;
using LeanAssist.Suggestions.Llm.Keys;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Doctor;

/// <summary>
/// Reports the LLM settings <c>leanassist doctor</c> should show: provider, model, base URL, and whether a key is
/// present and where it comes from. Never the key itself. Makes no network call (a doctor run must not spend money).
/// </summary>
public sealed class LlmSettingsCheck(IOptionsMonitor<LlmOptions> options, ApiKeyStore keys) : IDoctorCheck
{
    public string Name => "LLM settings";

    public Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        LlmOptions current;
        try
        {
            current = options.CurrentValue;
        }
        catch (OptionsValidationException e)
        {
            IReadOnlyList<DoctorFinding> invalid =
                [new DoctorFinding(Name, DoctorStatus.Error, $"Invalid LLM settings: {string.Join(" ", e.Failures)}", "Fix the leanAssist.* settings named above.")];
            return Task.FromResult(invalid);
        }

        if (current.Provider == LlmProviderKind.None)
        {
            IReadOnlyList<DoctorFinding> off =
                [new DoctorFinding(Name, DoctorStatus.Ok, "Provider: none. Suggestions come from the built-in tactic portfolio; no network is used.",
                    "To add LLM suggestions set leanAssist.provider to openai, anthropic or gemini (openai also covers Ollama, vLLM, llama.cpp and LM Studio through leanAssist.baseUrl).")];
            return Task.FromResult(off);
        }

        var endpoint = LlmEndpoint.From(current);
        var key = keys.Find(current.Provider);
        var findings = new List<DoctorFinding>
        {
            new(Name, DoctorStatus.Ok, $"Provider: {LlmProviderDefaults.SettingName(endpoint.Provider)}, model {endpoint.Model}, base URL {endpoint.BaseUrl}."),
        };

        if (key.Present)
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Ok, $"API key present ({key.Describe()})."));
        }
        else if (endpoint.RequiresApiKey)
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Missing, $"No API key: {key.Describe()}.",
                $"Run \"LeanAssist: Set API key\" in VS Code, or set the environment variable {key.VariableName} before starting VS Code."));
        }
        else
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Ok, "No API key set; none is needed for a local OpenAI-compatible server."));
        }

        if (current.Budget.DailyUsd is { } daily || current.Budget.RequestsPerMinute is not null)
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Ok,
                $"Budget: {(current.Budget.DailyUsd is { } cap ? $"${cap} per day" : "no daily cap")}, {(current.Budget.RequestsPerMinute is { } rpm ? $"{rpm} requests per minute" : "no rate cap")}."));
        }

        return Task.FromResult<IReadOnlyList<DoctorFinding>>(findings);
    }
}
