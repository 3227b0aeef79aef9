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

namespace LeanAssist.Testing.Llm;

/// <summary>
/// TEST DOUBLE for LLM endpoints (none can be reached from these machines): a real HTTP server (Kestrel) on
/// 127.0.0.1 with an ephemeral port that speaks the providers' documented wire formats:
/// <list type="bullet">
/// <item>OpenAI chat completions: <c>POST {<see cref="OpenAiBaseUrl"/>}chat/completions</c>;</item>
/// <item>Anthropic Messages: <c>POST {<see cref="AnthropicBaseUrl"/>}v1/messages</c>;</item>
/// <item>Gemini: <c>POST {<see cref="GeminiBaseUrl"/>}models/{model}:generateContent</c>.</item>
/// </list>
/// Replies are scripted (<see cref="Enqueue"/>, else <see cref="DefaultReply"/>): success with usage, the providers'
/// error bodies (401, 429 with Retry-After, 500, Anthropic 529), a hang, malformed JSON, empty choices, a dropped
/// connection. Every request is recorded with its headers and body. <see cref="Latency"/> delays every answer (real
/// time), for pipeline benchmarks; because it is a real socket server, a separate <c>leanassist</c> process can use it.
/// </summary>
public sealed class LocalLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<LlmReply> _replies = new();
    private readonly List<RecordedLlmRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _requestArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalLlmServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The value for <c>leanAssist.baseUrl</c> with provider openai (like <c>https://api.openai.com/v1</c>).</summary>
    public Uri OpenAiBaseUrl => new(BaseAddress, "v1/");

    /// <summary>The value for <c>leanAssist.baseUrl</c> with provider anthropic (like <c>https://api.anthropic.com</c>).</summary>
    public Uri AnthropicBaseUrl => BaseAddress;

    /// <summary>The value for <c>leanAssist.baseUrl</c> with provider gemini (like <c>https://generativelanguage.googleapis.com/v1beta</c>).</summary>
    public Uri GeminiBaseUrl => new(BaseAddress, "v1beta/");

    /// <summary>Answered when no scripted reply is queued.</summary>
    public LlmReply DefaultReply { get; set; } = LlmReply.Success("```lean\nrfl\n```\n\n```lean\nsimp\n```");

    /// <summary>Added before every answer (real time; for benchmarks and editor tests, e.g. 1.5 s).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, requests must carry this key (Bearer / x-api-key / x-goog-api-key) or get the provider's auth error.</summary>
    public string? ExpectedApiKey { get; set; }

    public IReadOnlyList<RecordedLlmRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public static async Task<LocalLlmServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LocalLlmServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new LocalLlmServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return server;
    }

    /// <summary>Queues replies, answered in order (one per request), before <see cref="DefaultReply"/> takes over.</summary>
    public void Enqueue(params LlmReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests have arrived; returns the <paramref name="count"/>-th.</summary>
    public async Task<RecordedLlmRequest> WaitForRequestAsync(int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_requests.Count >= count)
                {
                    return _requests[count - 1];
                }

                arrived = _requestArrived.Task;
            }

            try
            {
                await arrived.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Only {Requests.Count} of {count} requests arrived within {timeout}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
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
        var provider = path.EndsWith("/chat/completions", StringComparison.Ordinal) ? "openai"
            : path.EndsWith("/v1/messages", StringComparison.Ordinal) ? "anthropic"
            : path.EndsWith(":generateContent", StringComparison.Ordinal) ? "gemini"
            : "unknown";
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedLlmRequest(provider, request.Method, path + request.QueryString, headers, body, DateTimeOffset.UtcNow);
        context.RequestAborted.Register(recorded.MarkAborted);
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _requests.Add(recorded);
            arrived = _requestArrived;
            _requestArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.TrySetResult();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, linked.Token).ConfigureAwait(false);
            }

            if (provider == "unknown" || request.Method != "POST")
            {
                await WriteAsync(context, 404, """{"error":{"message":"Unknown route for the LLM test double.","type":"invalid_request_error"}}""").ConfigureAwait(false);
                return;
            }

            var reply = !CredentialAccepted(provider, headers) ? AuthFailure(provider)
                : _replies.TryDequeue(out var scripted) ? scripted
                : DefaultReply;
            await AnswerAsync(context, provider, reply, ModelOf(provider, path, body), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client gave up (or the server stops): nothing more to write.
        }
    }

    private bool CredentialAccepted(string provider, Dictionary<string, string> headers)
    {
        if (ExpectedApiKey is null)
        {
            return true;
        }

        var presented = provider switch
        {
            "openai" => headers.TryGetValue("Authorization", out var auth) && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : null,
            "anthropic" => headers.GetValueOrDefault("x-api-key"),
            _ => headers.GetValueOrDefault("x-goog-api-key"),
        };
        return presented == ExpectedApiKey;
    }

    /// <summary>What each provider answers to a wrong key (Gemini says 400 API_KEY_INVALID, not 401).</summary>
    private static LlmReply AuthFailure(string provider) =>
        provider == "gemini" ? LlmReply.Raw(400, GeminiError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT")) : LlmReply.Error(401);

    private static async Task AnswerAsync(HttpContext context, string provider, LlmReply reply, string model, CancellationToken cancellationToken)
    {
        if (reply.RetryAfter is not null)
        {
            context.Response.Headers["Retry-After"] = reply.RetryAfter;
        }

        switch (reply.Kind)
        {
            case LlmReplyKind.Success:
                await WriteAsync(context, 200, SuccessBody(provider, model, reply.Text, reply.Usage)).ConfigureAwait(false);
                break;
            case LlmReplyKind.Error:
                await WriteAsync(context, reply.Status, ErrorBody(provider, reply.Status)).ConfigureAwait(false);
                break;
            case LlmReplyKind.Overloaded:
                var status = provider == "anthropic" ? 529 : 503;
                await WriteAsync(context, status, ErrorBody(provider, status)).ConfigureAwait(false);
                break;
            case LlmReplyKind.Hang:
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                break;
            case LlmReplyKind.MalformedJson:
                var full = SuccessBody(provider, model, "```lean\nsimp\n```", reply.Usage);
                await WriteAsync(context, 200, full[..(full.Length / 2)]).ConfigureAwait(false);
                break;
            case LlmReplyKind.EmptyChoices:
                await WriteAsync(context, 200, EmptyBody(provider, model)).ConfigureAwait(false);
                break;
            case LlmReplyKind.Raw:
                foreach (var (name, value) in reply.Headers)
                {
                    context.Response.Headers[name] = value;
                }

                await WriteAsync(context, reply.Status, reply.Body ?? "").ConfigureAwait(false);
                break;
            case LlmReplyKind.Disconnect:
                context.Abort();
                break;
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, Encoding.UTF8).ConfigureAwait(false);
    }

    private static string ModelOf(string provider, string path, string body)
    {
        if (provider == "gemini")
        {
            var start = path.LastIndexOf("/models/", StringComparison.Ordinal) + "/models/".Length;
            return Uri.UnescapeDataString(path[start..path.LastIndexOf(':')]);
        }

        try
        {
            return JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? "unknown-model";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "unknown-model";
        }
    }

    private static string SuccessBody(string provider, string model, string text, ScriptedUsage usage) => provider switch
    {
        "openai" => new JsonObject
        {
            ["id"] = "chatcmpl-test0001",
            ["object"] = "chat.completion",
            ["created"] = 1_741_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = usage.PromptTokens,
                ["completion_tokens"] = usage.CompletionTokens,
                ["total_tokens"] = usage.PromptTokens + usage.CompletionTokens,
                ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = usage.CachedTokens, ["audio_tokens"] = 0 },
                ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0, ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0 },
            },
            ["system_fingerprint"] = "fp_test",
        }.ToJsonString(),
        "anthropic" => new JsonObject
        {
            ["id"] = "msg_01Test",
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            ["stop_reason"] = "end_turn",
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = usage.PromptTokens,
                ["cache_creation_input_tokens"] = usage.CacheCreationTokens,
                ["cache_read_input_tokens"] = usage.CachedTokens,
                ["output_tokens"] = usage.CompletionTokens,
            },
        }.ToJsonString(),
        _ => new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }), ["role"] = "model" },
                ["finishReason"] = "STOP",
                ["index"] = 0,
            }),
            ["usageMetadata"] = new JsonObject
            {
                ["promptTokenCount"] = usage.PromptTokens,
                ["candidatesTokenCount"] = usage.CompletionTokens,
                ["totalTokenCount"] = usage.PromptTokens + usage.CompletionTokens + usage.ThoughtsTokens,
                ["cachedContentTokenCount"] = usage.CachedTokens,
                ["thoughtsTokenCount"] = usage.ThoughtsTokens,
                ["promptTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = usage.PromptTokens }),
            },
            ["modelVersion"] = model,
            ["responseId"] = "test-response-1",
        }.ToJsonString(),
    };

    private static string EmptyBody(string provider, string model) => provider switch
    {
        "openai" => $$$"""{"id":"chatcmpl-empty","object":"chat.completion","created":1741000000,"model":"{{{model}}}","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":0,"total_tokens":10}}""",
        "anthropic" => $$$"""{"id":"msg_empty","type":"message","role":"assistant","model":"{{{model}}}","content":[],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":0}}""",
        _ => $$$"""{"candidates":[],"usageMetadata":{"promptTokenCount":10,"totalTokenCount":10},"modelVersion":"{{{model}}}"}""",
    };

    /// <summary>The providers' documented error bodies.</summary>
    private static string ErrorBody(string provider, int status) => provider switch
    {
        "openai" => OpenAiError(status),
        "anthropic" => AnthropicError(status),
        _ => status switch
        {
            401 => GeminiError(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"),
            429 => GeminiError(429, "Resource has been exhausted (e.g. check quota).", "RESOURCE_EXHAUSTED"),
            503 => GeminiError(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
            >= 500 => GeminiError(status, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", "INTERNAL"),
            _ => GeminiError(status, "Request contains an invalid argument.", "INVALID_ARGUMENT"),
        },
    };

    private static string OpenAiError(int status)
    {
        var (message, type, code) = status switch
        {
            401 => ("Incorrect API key provided: sk-test***wxyz. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
            429 => ("Rate limit reached for requests. Please try again in 2s.", "requests", "rate_limit_exceeded"),
            503 => ("The engine is currently overloaded, please try again later.", "server_error", (string?)null),
            >= 500 => ("The server had an error while processing your request. Sorry about that!", "server_error", null),
            _ => ("Invalid request.", "invalid_request_error", null),
        };
        return new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } }.ToJsonString();
    }

    private static string AnthropicError(int status)
    {
        var (type, message) = status switch
        {
            401 => ("authentication_error", "invalid x-api-key"),
            403 => ("permission_error", "Your API key does not have permission to use the specified resource."),
            429 => ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."),
            529 => ("overloaded_error", "Overloaded"),
            >= 500 => ("api_error", "Internal server error"),
            _ => ("invalid_request_error", "Invalid request."),
        };
        return new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = "req_011Test",
        }.ToJsonString();
    }

    private static string GeminiError(int code, string message, string status) =>
        new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }.ToJsonString();

    /// <summary>For logs of benchmark runs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"LocalLlmServer at {BaseAddress} ({Requests.Count} requests)");
}
