using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Testing.Kimina;

/// <summary>One request the double received.</summary>
public sealed record RecordedKiminaRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, IReadOnlyList<(string Id, string Code)> Snippets)
{
    public bool Aborted { get; private set; }

    internal void MarkAborted() => Aborted = true;
}

/// <summary>
/// TEST DOUBLE for a Kimina Lean Server (project-numina/kimina-lean-server; none can run here: it needs Lean and
/// Mathlib): a real HTTP server (Kestrel) on 127.0.0.1 with an ephemeral port, written from Kimina's
/// <c>app/schemas.py</c>, <c>app/routers/check.py</c>, <c>app/split.py</c>, <c>app/auth.py</c> and
/// <c>app/routers/health.py</c> (commit 96dff08):
/// <list type="bullet">
/// <item><c>POST /api/checks</c> (and <c>/api/checks/</c>): a ChecksRequest (<c>snippets</c> with unique <c>id</c>s, <c>timeout</c>,
/// <c>debug</c>, <c>reuse</c>, <c>infotree</c>) answered with a JSON array of CheckResponse (<c>id</c>, <c>time</c>, <c>error</c> or
/// <c>response</c>, None fields left out); 422 with FastAPI's <c>{"detail": [...]}</c> for an invalid request;</item>
/// <item><c>POST /api/check</c>: one <c>snippet</c>, one CheckResponse;</item>
/// <item><c>GET /health</c>: <c>{"status": "ok"}</c>;</item>
/// <item>with <see cref="ExpectedApiKey"/>, <c>Authorization</c> (optionally "Bearer ") is required: 401 "Missing API key" / "Invalid API key".</item>
/// </list>
/// The body of each snippet is what Kimina's split_snippet leaves after the import lines; the REPL answer comes
/// from the first <see cref="Answer"/> rule whose text the body contains (recorded REPL answers from the shared
/// transcripts, positions shifted to the rule's anchor line, as the REPL reports positions in the body). Each
/// snippet holds one of <see cref="Repls"/> REPLs for <see cref="Latency"/>; a snippet that finds none within
/// <see cref="MaxWait"/> makes the whole request 429 "No available REPLs", as Kimina's asyncio.gather does. Queued
/// request-level faults (<see cref="Enqueue"/>): status answers, malformed bodies, hangs.
/// </summary>
public sealed class KiminaServerDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Text, string Anchor, KiminaReply Reply)> _rules = [];
    private Func<string, KiminaReply?>? _responder;
    private readonly ConcurrentQueue<KiminaReply> _faults = new();
    private readonly List<RecordedKiminaRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private SemaphoreSlim _repls;
    private int _replCount;
    private int _busy;
    private int _maxBusy;
    private long _snippets;

    private KiminaServerDouble(WebApplication app, Uri baseAddress, int repls)
    {
        _app = app;
        BaseAddress = baseAddress;
        _replCount = repls;
        _repls = new SemaphoreSlim(repls, repls);
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>: the value for <c>leanAssist.kimina.urls</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Kimina's LEAN_SERVER_MAX_REPLS: snippets checked at once.</summary>
    public int Repls
    {
        get => _replCount;
        set
        {
            _replCount = value;
            _repls = new SemaphoreSlim(value, value);
        }
    }

    /// <summary>Kimina's LEAN_SERVER_MAX_WAIT: how long a snippet waits for a free REPL before the request is 429.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The REPL time of each snippet (held on a REPL; reported as its <c>time</c>).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When no rule matches: this answer; null answers a snippet error naming the double (so a test sees it).</summary>
    public KiminaReply? DefaultReply { get; set; }

    /// <summary>Kimina's LEAN_SERVER_API_KEY.</summary>
    public string? ExpectedApiKey { get; set; }

    public long SnippetsChecked => Interlocked.Read(ref _snippets);

    /// <summary>The most snippets that held a REPL at the same time.</summary>
    public int MaxConcurrentSnippets => Volatile.Read(ref _maxBusy);

    public IReadOnlyList<RecordedKiminaRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public static async Task<KiminaServerDouble> StartAsync(int repls = 4, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        KiminaServerDouble? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new KiminaServerDouble(app, new Uri(address.EndsWith('/') ? address : address + "/"), repls);
        return server;
    }

    /// <summary>
    /// Snippets whose body contains <paramref name="text"/> are answered with <paramref name="reply"/>; a recorded REPL
    /// answer (about a command starting on its line 1) gets its lines shifted to the line where <paramref name="anchor"/>
    /// (default: <paramref name="text"/>) starts in the body. Rules are tried in the order added.
    /// </summary>
    public KiminaServerDouble Answer(string text, KiminaReply reply, string? anchor = null)
    {
        lock (_gate)
        {
            _rules.Add((text, anchor ?? text, reply));
        }

        return this;
    }

    /// <summary>Answers from the body itself (tried before the rules; null passes to them): a reply built from recorded answers for what the body holds.</summary>
    public KiminaServerDouble Respond(Func<string, KiminaReply?> responder)
    {
        _responder = responder;
        return this;
    }

    /// <summary>Queues request-level replies (status, malformed, hang), answered in order, one per request, before the rules apply again.</summary>
    public void Enqueue(params KiminaReply[] replies)
    {
        foreach (var reply in replies)
        {
            _faults.Enqueue(reply);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Kimina's split_snippet: leading import and blank lines are the header; the body starts at the first other line.</summary>
    public static (string Header, string Body) Split(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var index = 0;
        while (index < lines.Length && (lines[index].Trim().StartsWith("import ", StringComparison.Ordinal) || lines[index].Trim().Length == 0))
        {
            index++;
        }

        var imports = lines[..index].Select(l => l.Trim()).Where(l => l.StartsWith("import ", StringComparison.Ordinal)).ToList();
        var header = new List<string>();
        if (imports.Any(i => i.StartsWith("import Mathlib", StringComparison.Ordinal)))
        {
            header.Add("import Mathlib");
        }

        header.AddRange(imports.Where(i => !i.StartsWith("import Mathlib", StringComparison.Ordinal)).Distinct());
        return (string.Join('\n', header), string.Join('\n', lines[index..]));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var path = request.Path.Value ?? "";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            if (request.Method == "GET" && path is "/health" or "/health/" or "/")
            {
                await WriteAsync(context, 200, """{"status":"ok"}""").ConfigureAwait(false);
                return;
            }

            var batch = path is "/api/checks" or "/api/checks/";
            if (request.Method != "POST" || !(batch || path is "/api/check" or "/api/check/"))
            {
                await WriteAsync(context, 404, """{"detail":"Not Found"}""").ConfigureAwait(false);
                return;
            }

            var snippets = ReadSnippets(body, batch, out var invalid);
            var recorded = new RecordedKiminaRequest(path, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, snippets);
            context.RequestAborted.Register(recorded.MarkAborted);
            lock (_gate)
            {
                _requests.Add(recorded);
            }

            if (ExpectedApiKey is not null && Authorization(recorded.Headers) is var presented && presented != ExpectedApiKey)
            {
                await WriteAsync(context, 401, Detail(presented is null ? "Missing API key" : "Invalid API key")).ConfigureAwait(false);
                return;
            }

            if (invalid is not null)
            {
                await WriteAsync(context, 422, new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = "value_error", ["msg"] = invalid }) }.ToJsonString()).ConfigureAwait(false);
                return;
            }

            if (_faults.TryDequeue(out var fault))
            {
                await AnswerFaultAsync(context, fault, linked.Token).ConfigureAwait(false);
                return;
            }

            var results = await CheckAllAsync(snippets, linked.Token).ConfigureAwait(false);
            if (results is null)
            {
                await WriteAsync(context, 429, Detail("No available REPLs")).ConfigureAwait(false);
                return;
            }

            await WriteAsync(context, 200, batch ? new JsonArray([.. results]).ToJsonString() : results[0].ToJsonString()).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client gave up (or the server stops): nothing more to write.
        }
    }

    /// <summary>Every snippet at once (asyncio.gather); null when one found no REPL in time (Kimina's 429 for the request).</summary>
    private async Task<JsonObject[]?> CheckAllAsync(IReadOnlyList<(string Id, string Code)> snippets, CancellationToken cancellationToken)
    {
        var repls = _repls;
        var checks = snippets.Select<(string Id, string Code), Task<JsonObject?>>(async snippet =>
        {
            if (!await repls.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            try
            {
                var busy = Interlocked.Increment(ref _busy);
                InterlockedMax(ref _maxBusy, busy);
                if (Latency > TimeSpan.Zero)
                {
                    await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _snippets);
                return CheckOne(snippet.Id, snippet.Code);
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
                repls.Release();
            }
        }).ToArray();
        var results = await Task.WhenAll(checks).ConfigureAwait(false);
        return results.Any(r => r is null) ? null : results.Select(r => r!).ToArray();
    }

    private JsonObject CheckOne(string id, string code)
    {
        var (_, body) = Split(code);
        (string Text, string Anchor, KiminaReply Reply)? rule;
        lock (_gate)
        {
            rule = _rules.Cast<(string Text, string Anchor, KiminaReply Reply)?>().FirstOrDefault(r => body.Contains(r!.Value.Text, StringComparison.Ordinal));
        }

        var responded = _responder?.Invoke(body);
        if (responded is not null)
        {
            rule = null;
        }

        var reply = responded ?? rule?.Reply ?? DefaultReply ?? new KiminaReply.SnippetError("Kimina test double: no rule answers this snippet.");
        var time = Math.Round(Latency.TotalSeconds, 3);
        var result = new JsonObject { ["id"] = id, ["time"] = time };
        switch (reply)
        {
            case KiminaReply.Repl repl:
                var shift = rule is { } r ? LineOf(body, r.Anchor) - 1 : 0;
                result["response"] = Shifted(repl.Response, shift);
                break;
            case KiminaReply.SnippetError error:
                result["error"] = error.Error;
                break;
            default:
                result["error"] = $"Kimina test double: {reply.GetType().Name} is a request-level reply; queue it with Enqueue.";
                break;
        }

        return result;
    }

    private static async Task AnswerFaultAsync(HttpContext context, KiminaReply fault, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case KiminaReply.Status status:
                await WriteAsync(context, status.Code, Detail(status.Detail)).ConfigureAwait(false);
                break;
            case KiminaReply.Malformed malformed:
                await WriteAsync(context, 200, malformed.Body).ConfigureAwait(false);
                break;
            case KiminaReply.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await WriteAsync(context, 500, Detail($"Kimina test double: {fault.GetType().Name} is a snippet-level reply; add it with Answer.")).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Reads the snippets as pydantic validates them (non-empty, each with an id, ids unique); <paramref name="invalid"/> says why not.</summary>
    private static IReadOnlyList<(string Id, string Code)> ReadSnippets(string body, bool batch, out string? invalid)
    {
        invalid = null;
        try
        {
            var root = JsonNode.Parse(body)?.AsObject() ?? throw new JsonException("body is null");
            var items = batch ? root["snippets"] as JsonArray : root["snippet"] is JsonObject one ? new JsonArray(one.DeepClone()) : null;
            if (items is null || items.Count == 0)
            {
                invalid = batch ? "Value error, `snippets` must be provided and non empty" : "Field required: snippet";
                return [];
            }

            var snippets = new List<(string, string)>();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not JsonObject item || item["id"] is null)
                {
                    invalid = $"Value error, `snippets[{i}].id` is required";
                    return [];
                }

                snippets.Add((item["id"]!.ToString(), item["code"]?.GetValue<string>() ?? ""));
            }

            if (snippets.Select(s => s.Item1).Distinct().Count() != snippets.Count)
            {
                invalid = "Value error, `snippets` must have unique ids";
                return [];
            }

            if (root["timeout"] is { } timeout && (timeout.GetValueKind() != JsonValueKind.Number || timeout.GetValue<double>() < 0))
            {
                invalid = "Input should be greater than or equal to 0: timeout";
                return [];
            }

            return snippets;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            invalid = $"JSON decode error: {e.Message}";
            return [];
        }
    }

    private static string? Authorization(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue("Authorization", out var value) && value.Length > 0 ? value.StartsWith("Bearer ", StringComparison.Ordinal) ? value["Bearer ".Length..].Trim() : value.Trim() : null;

    private static int LineOf(string body, string anchor)
    {
        var at = body.IndexOf(anchor, StringComparison.Ordinal);
        return at < 0 ? 1 : body[..at].Count(c => c == '\n') + 1;
    }

    private static JsonObject Shifted(JsonObject response, int lines)
    {
        var copy = response.DeepClone().AsObject();
        if (lines == 0)
        {
            return copy;
        }

        foreach (var listName in new[] { "messages", "sorries" })
        {
            if (copy[listName] is not JsonArray list)
            {
                continue;
            }

            foreach (var item in list.OfType<JsonObject>())
            {
                foreach (var position in new[] { "pos", "endPos" })
                {
                    if (item[position] is JsonObject pos && pos["line"] is { } line && line.GetValue<int>() > 0)
                    {
                        pos["line"] = line.GetValue<int>() + lines;
                    }
                }
            }
        }

        return copy;
    }

    private static string Detail(string detail) => new JsonObject { ["detail"] = detail }.ToJsonString();

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
