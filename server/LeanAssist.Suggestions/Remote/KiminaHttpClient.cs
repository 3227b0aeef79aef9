using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LeanAssist.Suggestions.Llm.Keys;

namespace LeanAssist.Suggestions.Remote;

/// <summary>How a request to one Kimina server failed.</summary>
public enum KiminaFailureKind
{
    /// <summary>429 "No available REPLs": the server is busy, not broken (does not count against its circuit).</summary>
    Busy,

    /// <summary>5xx: the server (or its REPL) failed.</summary>
    ServerError,

    /// <summary>No connection, or it broke mid-answer.</summary>
    Network,

    /// <summary>No answer within the request's time limit.</summary>
    Timeout,

    /// <summary>A 2xx body that is not Kimina's documented format.</summary>
    Malformed,

    /// <summary>401/403: the API key is missing or wrong (retrying elsewhere does not help).</summary>
    Unauthorized,

    /// <summary>Another 4xx (422 validation and the like): the request itself is wrong.</summary>
    Rejected,
}

/// <summary>A failed request to one Kimina server; <see cref="Exception.Message"/> is for the user (the key is redacted).</summary>
public sealed class KiminaServerException(KiminaFailureKind kind, Uri server, string message, int? httpStatus = null) : Exception(message)
{
    public KiminaFailureKind Kind { get; } = kind;

    public Uri Server { get; } = server;

    public int? HttpStatus { get; } = httpStatus;

    /// <summary>
    /// Worth another attempt on another server. Not a timeout: Kimina's own limit is per snippet, so a batch that
    /// outlived it and the grace after it would most likely outlive it elsewhere too (and the user would wait twice).
    /// </summary>
    public bool IsTransient => Kind is KiminaFailureKind.Busy or KiminaFailureKind.ServerError or KiminaFailureKind.Network or KiminaFailureKind.Malformed;

    /// <summary>Counts against the server's circuit: it failed, rather than being busy or refusing our request.</summary>
    public bool IsServerFault => Kind is KiminaFailureKind.ServerError or KiminaFailureKind.Network or KiminaFailureKind.Timeout or KiminaFailureKind.Malformed;
}

/// <summary>
/// The HTTP half of the Kimina backend (a typed HttpClient; Polly around it in <see cref="KiminaDispatcher"/>):
/// one <c>POST {server}/api/checks</c> with a batch of snippets, the key as <c>Authorization: Bearer</c> (what
/// Kimina's <c>app/auth.py</c> reads), the answer checked to hold one result for each snippet sent.
/// </summary>
public sealed class KiminaHttpClient(HttpClient http)
{
    /// <param name="requestTimeout">The whole request's limit on this side (Kimina's own <c>timeout</c> is per snippet, in the body).</param>
    /// <exception cref="KiminaServerException">The request failed; see its kind.</exception>
    public async Task<IReadOnlyList<KiminaCheckResult>> ChecksAsync(Uri server, KiminaChecksRequest request, string? apiKey, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        var secrets = apiKey is null ? Array.Empty<string>() : [apiKey];
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(server, KiminaWire.ChecksPath))
        {
            Content = new StringContent(JsonSerializer.Serialize(request, KiminaJsonContext.Default.KiminaChecksRequest), Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(requestTimeout);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var kind = status switch
                {
                    429 => KiminaFailureKind.Busy,
                    401 or 403 => KiminaFailureKind.Unauthorized,
                    408 or 504 => KiminaFailureKind.Timeout,
                    >= 500 => KiminaFailureKind.ServerError,
                    _ => KiminaFailureKind.Rejected,
                };
                throw new KiminaServerException(kind, server,
                    SecretRedactor.Redact($"{Authority(server)} answered {status} ({response.ReasonPhrase}): {KiminaWire.ErrorDetail(body)}", secrets), status);
            }

            IReadOnlyList<KiminaCheckResult> results;
            try
            {
                results = KiminaWire.ParseChecks(body);
            }
            catch (JsonException e)
            {
                throw new KiminaServerException(KiminaFailureKind.Malformed, server,
                    SecretRedactor.Redact($"{Authority(server)} answered with a body that is not Kimina's CheckResponse list ({e.Message}): {KiminaWire.Excerpt(body)}", secrets), status);
            }

            var missing = request.Snippets.Select(s => s.Id).Except(results.Select(r => r.Id), StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
            {
                throw new KiminaServerException(KiminaFailureKind.Malformed, server,
                    $"{Authority(server)} answered without a result for {missing.Length} of {request.Snippets.Count} snippets (\"{missing[0]}\").", status);
            }

            return results;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KiminaServerException(KiminaFailureKind.Timeout, server,
                $"{Authority(server)} did not answer within {KiminaWire.Seconds(requestTimeout.TotalSeconds)} s.");
        }
        catch (HttpRequestException e)
        {
            throw new KiminaServerException(KiminaFailureKind.Network, server, SecretRedactor.Redact($"Could not reach {Authority(server)}: {e.Message}", secrets));
        }
    }

    public static string Authority(Uri server) => server.GetLeftPart(UriPartial.Authority);
}
