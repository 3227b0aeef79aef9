using LeanAssist.Server.LanguageServer;
using LeanAssist.Suggestions.Remote;

namespace LeanAssist.Server.Status;

/// <summary>The status's view of the verification backend: which one, and for Kimina which servers are healthy.</summary>
public static class RemoteStatus
{
    public static VerificationStatusView Describe(VerificationBackendRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        if (router.Backend != VerificationBackend.Kimina)
        {
            return new VerificationStatusView("local", router.Describe(), 0, 0, null);
        }

        var servers = router.Kimina.Servers;
        var list = string.Join(", ", servers.Select(s => $"{KiminaHttpClient.Authority(s.Url)} {(s.Healthy ? "healthy" : $"failing ({OneLine(s.LastError)})")}"));
        return new VerificationStatusView("kimina", router.Describe(), servers.Count(s => s.Healthy), servers.Count, servers.Count == 0 ? "none configured (leanAssist.kimina.urls)" : list);
    }

    private static string OneLine(string? text)
    {
        var line = (text ?? "no answer").ReplaceLineEndings(" ");
        return line.Length > 120 ? line[..120] + "…" : line;
    }
}
