using System.CommandLine;
using System.Text;
using System.Text.Json;
using LeanAssist.Server.Doctor;
using LeanAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// <c>leanassist doctor [--project DIR] [--json] [--repl-command CMD]</c>: runs every registered
/// <see cref="IDoctorCheck"/> (Lean toolchain, project, REPL, LLM settings) and reports what was found and
/// what is missing, each with its fix. Exit code 0 when nothing is missing or broken, 1 otherwise, 2 for
/// invalid settings.
/// </summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Report what LeanAssist found and what is missing (toolchain, REPL build, Mathlib, LLM settings).")
        {
            CommonOptions.Project, CommonOptions.Json, CommonOptions.ReplCommand, CommonOptions.Sandbox, CommonOptions.LogFile, CommonOptions.LogLevel,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var project = Path.GetFullPath(result.GetValue(CommonOptions.Project) ?? Environment.CurrentDirectory);
        IReadOnlyList<DoctorFinding> findings;
        try
        {
            using var host = LeanAssistHost.Build("doctor", CommandVerbs.QuietSettings(result), transport: null);
            var context = new DoctorContext(project);
            var all = new List<DoctorFinding>();
            foreach (var check in host.Services.GetServices<IDoctorCheck>())
            {
                try
                {
                    all.AddRange(await check.RunAsync(context, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    all.Add(new DoctorFinding(check.Name, DoctorStatus.Error, $"The check failed: {e.Message}"));
                }
            }

            findings = all;
        }
        catch (OptionsValidationException e)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync($"leanassist doctor: invalid settings: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }

        var healthy = findings.All(f => f.Status is DoctorStatus.Ok or DoctorStatus.Warning);
        await output.WriteAsync(result.GetValue(CommonOptions.Json) ? ToJson(project, healthy, findings) : ToText(project, healthy, findings)).ConfigureAwait(false);
        return healthy ? 0 : 1;
    }

    public static string ToText(string project, bool healthy, IReadOnlyList<DoctorFinding> findings)
    {
        var builder = new StringBuilder().AppendLine($"LeanAssist doctor: {project}");
        foreach (var group in findings.GroupBy(f => f.Check))
        {
            builder.AppendLine().AppendLine(group.Key);
            foreach (var finding in group)
            {
                builder.AppendLine($"  {Label(finding.Status),-9} {finding.Message}");
                if (finding.Fix is { } fix)
                {
                    builder.AppendLine($"  {"",-9} fix: {fix}");
                }
            }
        }

        return builder.AppendLine().AppendLine(healthy ? "Everything LeanAssist needs was found." : "Something LeanAssist needs is missing: see the fixes above.").ToString();
    }

    public static string ToJson(string project, bool healthy, IReadOnlyList<DoctorFinding> findings)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("project", project);
            writer.WriteBoolean("healthy", healthy);
            writer.WriteStartArray("findings");
            foreach (var finding in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("check", finding.Check);
                writer.WriteString("status", Label(finding.Status).ToLowerInvariant());
                writer.WriteString("message", finding.Message);
                if (finding.Fix is { } fix)
                {
                    writer.WriteString("fix", fix);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    private static string Label(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warning => "warning",
        DoctorStatus.Missing => "MISSING",
        _ => "ERROR",
    };
}

/// <summary>Settings shared by the report verbs: the command line's, with the log kept off the terminal unless asked for.</summary>
internal static class CommandVerbs
{
    public static List<KeyValuePair<string, string?>> QuietSettings(ParseResult result)
    {
        var settings = CommonOptions.ToSettings(result).ToList();
        if (result.GetValue(CommonOptions.LogLevel) is null)
        {
            settings.Add(new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.LogLevel)}", "Warning"));
        }

        settings.Add(new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.LogToStderr)}", "false"));
        return settings;
    }
}
