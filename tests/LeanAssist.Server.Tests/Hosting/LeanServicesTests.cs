using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Server.Doctor;
using LeanAssist.Server.Hosting;
using LeanAssist.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Tests.Hosting;

/// <summary>The Lean group of the service registration: settings keys, the pool, doctor checks.</summary>
public sealed class LeanServicesTests
{
    [Fact]
    public async Task The_pool_runs_the_REPL_named_by_the_repl_command_setting()
    {
        using var directory = new TemporaryDirectory();
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n");
        directory.WriteFile("p/lean-toolchain", "leanprover/lean4:v4.32.0\n");
        var settings = new Dictionary<string, string?>
        {
            ["LeanAssist:repl:command"] = ReplStandInLauncher.CommandLine("scripted"),
            ["LeanAssist:repl:sessions"] = "2",
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
        };
        using var host = LeanAssistHost.Build("test", settings, transport: null);

        var options = host.Services.GetRequiredService<IOptionsMonitor<ReplOptions>>().CurrentValue;
        var pool = host.Services.GetRequiredService<ILeanSessionPool>();
        var file = await pool.LoadFileAsync(new LeanFileRequest(directory.Combine("p"), directory.Combine("p", "A.lean"), new SourceText("theorem t (n : Nat) : n = n := by\n  sorry\n")), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, options.EffectiveSessions);
        // The pool interface is the backend router (docs/remote.md); with the default backend it is the local pool's.
        var router = Assert.IsType<LeanAssist.Suggestions.Remote.VerificationBackendRouter>(pool);
        Assert.Equal(LeanAssist.Suggestions.Remote.VerificationBackend.Local, router.Backend);
        Assert.Same(host.Services.GetRequiredService<LeanSessionPool>(), router.Local);
        Assert.Equal("n : Nat\n⊢ n = n", Assert.Single(file.Targets).Goal);
        await pool.DisposeAsync();
    }

    [Fact]
    public void Invalid_Lean_settings_are_refused_with_the_setting_named()
    {
        var settings = new Dictionary<string, string?>
        {
            ["LeanAssist:repl:sessions"] = "0",
            ["LeanAssist:repl:command"] = "repl \"unclosed",
            ["LeanAssist:Server:LogFile"] = "none",
            ["LeanAssist:Server:LogToStderr"] = "false",
        };
        using var host = LeanAssistHost.Build("test", settings, transport: null);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptionsMonitor<ReplOptions>>().CurrentValue);

        Assert.Contains(error.Failures, f => f.Contains("leanAssist.repl.sessions", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("leanAssist.repl.command", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Lean_doctor_checks_are_registered()
    {
        using var host = LeanAssistHost.Build("test", [new("LeanAssist:Server:LogFile", "none"), new("LeanAssist:Server:LogToStderr", "false")], transport: null);

        var names = host.Services.GetServices<IDoctorCheck>().Select(c => c.Name).ToList();

        Assert.Contains("Lean toolchain", names);
        Assert.Contains("Lean project", names);
        Assert.Contains("Lean REPL", names);
    }
}
