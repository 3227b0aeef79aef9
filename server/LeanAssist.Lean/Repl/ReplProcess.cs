using System.ComponentModel;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using LeanAssist.Lean.Telemetry;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Lean.Repl;

/// <summary>One request and its answer, with the time Lean took (from the request written to the answer read).</summary>
public sealed record ReplExchange(ReplRequest Request, ReplResponse Response, TimeSpan LeanTime);

/// <summary>
/// One running REPL process: the client side of its stdin/stdout protocol. One request is in flight at a
/// time; its answer is read up to the blank line that ends it; stderr goes to the log (never to our
/// stdout, which may carry LSP frames).
/// </summary>
/// <remarks>
/// The REPL cannot be interrupted. A request that runs past its timeout kills the whole process tree; a
/// caller that cancels stops waiting at once, while the request finishes (or times out) in the
/// background before the next one is written. After any <see cref="ReplFailureException"/> the process is
/// killed and <see cref="IsUsable"/> is false: its output can no longer be trusted to line up with requests.
/// </remarks>
public sealed class ReplProcess : IAsyncDisposable, IDisposable
{
    private const int KeptStderrLines = 20;
    private readonly Histogram<double>? _requestDuration;

    private readonly Process _process;
    private readonly Stream _input;
    private readonly ReplResponseReader _reader;
    private readonly SemaphoreSlim _oneInFlight = new(1, 1);
    private readonly ILogger _logger;
    private readonly Queue<string> _recentStderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ReplFailureException? _killReason;
    private volatile bool _broken;
    private long _requestsServed;

    private ReplProcess(Process process, string name, long maxResponseBytes, ILogger logger, Histogram<double>? requestDuration)
    {
        _requestDuration = requestDuration;
        _process = process;
        Name = name;
        _logger = logger;
        _input = process.StandardInput.BaseStream;
        _reader = new ReplResponseReader(process.StandardOutput.BaseStream, maxResponseBytes);
        ProcessId = process.Id;
    }

    /// <summary>A short name for logs ("repl-3").</summary>
    public string Name { get; }

    public int ProcessId { get; }

    /// <summary>False once the process has exited, was killed, or failed a request.</summary>
    public bool IsUsable => !_broken && !_exited.Task.IsCompleted;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    public long RequestsServed => Interlocked.Read(ref _requestsServed);

    /// <summary>The last lines the process wrote to stderr (for crash messages).</summary>
    public string RecentStderr
    {
        get
        {
            lock (_recentStderr)
            {
                return string.Join('\n', _recentStderr);
            }
        }
    }

    /// <summary>
    /// Starts the process. Its environment is ours minus variables that look like secrets (API keys,
    /// tokens, passwords): tactics are untrusted code and Lean can run code while elaborating them.
    /// </summary>
    /// <param name="requestDuration">Where request times are recorded (the pool's <see cref="LeanAssistMeter"/> instrument), if anywhere.</param>
    public static ReplProcess Start(ReplLaunchSpec spec, long maxResponseBytes, ILogger logger, string name, Histogram<double>? requestDuration = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Sandbox?.Wrap(spec) ?? spec;
        var startInfo = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name2 in startInfo.Environment.Keys.Where(IsSecretVariable).ToArray())
        {
            startInfo.Environment.Remove(name2);
        }

        foreach (var (key, value) in spec.Environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        try
        {
            if (!Directory.Exists(spec.WorkingDirectory))
            {
                throw new DirectoryNotFoundException($"the working directory {spec.WorkingDirectory} does not exist");
            }

            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or DirectoryNotFoundException or IOException)
        {
            process.Dispose();
            throw new ReplFailureException(ReplFailureKind.StartFailed, $"Could not start the Lean REPL ({spec}): {e.Message}", e);
        }

        var repl = new ReplProcess(process, name, maxResponseBytes, logger, requestDuration);
        process.Exited += (_, _) => repl._exited.TrySetResult();
        if (process.HasExited)
        {
            repl._exited.TrySetResult();
        }

        process.ErrorDataReceived += (_, e) => repl.OnStderr(e.Data);
        process.BeginErrorReadLine();
        logger.LogInformation("{Name}: started process {ProcessId}: {Launch} in {Directory}", name, process.Id, spec.Description, spec.WorkingDirectory);
        return repl;
    }

    /// <summary>Environment variable names never passed to the REPL.</summary>
    public static bool IsSecretVariable(string name) =>
        name.Contains("API_KEY", StringComparison.OrdinalIgnoreCase) || name.Contains("APIKEY", StringComparison.OrdinalIgnoreCase)
        || name.Contains("SECRET", StringComparison.OrdinalIgnoreCase) || name.Contains("TOKEN", StringComparison.OrdinalIgnoreCase)
        || name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase) || name.Contains("CREDENTIAL", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Sends one request and reads its answer. A <see cref="ReplErrorResponse"/> is an answer (the process
    /// stays usable); a <see cref="ReplFailureException"/> means the process is gone or unusable.
    /// </summary>
    /// <param name="timeout">How long Lean may take; past it the process tree is killed.</param>
    /// <param name="cancellationToken">Stops waiting; the request itself runs on (see the class remarks).</param>
    public async Task<ReplExchange> SendAsync(ReplRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _oneInFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task<ReplExchange> exchange;
        try
        {
            exchange = ExchangeAsync(request, timeout);
        }
        catch
        {
            _oneInFlight.Release();
            throw;
        }

        _ = exchange.ContinueWith(static (_, gate) => ((SemaphoreSlim)gate!).Release(), _oneInFlight, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReplExchange> ExchangeAsync(ReplRequest request, TimeSpan timeout)
    {
        if (!IsUsable)
        {
            throw _killReason ?? new ReplFailureException(ReplFailureKind.Exited, ExitDescription("The REPL is no longer running"));
        }

        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            var bytes = request.ToWireBytes();
            var read = WriteAndReadAsync(bytes);
            using var timer = new CancellationTokenSource();
            var finished = await Task.WhenAny(read, Task.Delay(timeout, timer.Token)).ConfigureAwait(false);
            if (finished != read)
            {
                Kill(new ReplFailureException(ReplFailureKind.Timeout, $"Lean did not answer within {timeout.TotalSeconds:0.#} s; the REPL process was killed."));
                await ((Task)read).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw _killReason!;
            }

            await timer.CancelAsync().ConfigureAwait(false);
            var json = await read.ConfigureAwait(false);
            var leanTime = Stopwatch.GetElapsedTime(started);
            var response = ReplResponseParser.Parse(json, request.ExpectsProofStateResponse);
            Interlocked.Increment(ref _requestsServed);
            outcome = response is ReplErrorResponse ? "repl_error" : "ok";
            return new ReplExchange(request, response, leanTime);
        }
        catch (ReplFailureException e)
        {
            // A kill (timeout, memory, shutdown) explains the end of output better than "closed its output".
            var failure = _killReason ?? (e.Kind == ReplFailureKind.Exited ? await DescribeExitAsync(e).ConfigureAwait(false) : e);
            outcome = failure.Kind.ToString().ToLowerInvariant();
            Kill(failure);
            throw failure;
        }
        catch (IOException e)
        {
            // Writing to a process that has exited.
            var failure = _killReason ?? await DescribeExitAsync(new ReplFailureException(ReplFailureKind.Exited, e.Message, e)).ConfigureAwait(false);
            outcome = failure.Kind.ToString().ToLowerInvariant();
            Kill(failure);
            throw failure;
        }
        finally
        {
            _requestDuration?.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("leanassist.lean.request", request.Kind.ToString().ToLowerInvariant()),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private async Task<ReadOnlyMemory<byte>> WriteAndReadAsync(byte[] request)
    {
        await _input.WriteAsync(request).ConfigureAwait(false);
        await _input.FlushAsync().ConfigureAwait(false);
        return await _reader.ReadResponseAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<ReplFailureException> DescribeExitAsync(ReplFailureException cause)
    {
        // Give the process a moment to finish exiting so the exit code and last stderr lines are known.
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return new ReplFailureException(ReplFailureKind.Exited, ExitDescription(cause.Message), cause);
    }

    private string ExitDescription(string what)
    {
        var code = _exited.Task.IsCompleted ? $" (exit code {SafeExitCode()})" : string.Empty;
        var stderr = RecentStderr;
        return stderr.Length == 0 ? $"{what}{code}." : $"{what}{code}. Its last output on stderr:\n{stderr}";
    }

    private string SafeExitCode()
    {
        try
        {
            return _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "unknown";
        }
    }

    /// <summary>Resident memory of the process tree in bytes.</summary>
    /// <param name="reading">A process table read for several processes at once; null to read one now.</param>
    public long GetResidentBytes(ProcessTableReading? reading = null) =>
        _exited.Task.IsCompleted ? 0 : (reading ?? ProcessTree.Read()).GetResidentBytes(ProcessId);

    /// <summary>Kills the whole process tree; a request in flight fails with <paramref name="reason"/>.</summary>
    public void Kill(ReplFailureException reason)
    {
        _killReason ??= reason;
        _broken = true;
        try
        {
            if (!_process.HasExited)
            {
                _logger.LogWarning("{Name}: killing process tree {ProcessId}: {Reason}", Name, ProcessId, reason.Message);
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            _logger.LogDebug(e, "{Name}: process {ProcessId} was already gone.", Name, ProcessId);
        }
    }

    /// <summary>Closes stdin (the REPL exits at end of input), waits briefly, then kills what is left of the tree.</summary>
    public async ValueTask DisposeAsync()
    {
        _broken = true;

        // Remember the tree now: once the root has exited, its orphaned children can no longer be found from it.
        var tree = _exited.Task.IsCompleted ? [] : ProcessTree.GetDescendantsAndSelf(ProcessId);
        try
        {
            _input.Close();
        }
        catch (IOException)
        {
        }

        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Kill(new ReplFailureException(ReplFailureKind.Exited, "The REPL session was shut down."));
        KillSurvivors(tree);
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    /// <summary>Kills processes of the remembered tree that outlived their root (by id, never by name).</summary>
    private void KillSurvivors(IReadOnlyList<int> tree)
    {
        foreach (var pid in tree.Where(pid => pid != ProcessId && ProcessTree.IsAlive(pid)))
        {
            try
            {
                using var survivor = System.Diagnostics.Process.GetProcessById(pid);
                survivor.Kill(entireProcessTree: true);
                _logger.LogInformation("{Name}: killed process {ProcessId}, left behind by the REPL.", Name, pid);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Kills the tree at once (synchronous shutdown paths).</summary>
    public void Dispose()
    {
        var tree = _exited.Task.IsCompleted ? [] : ProcessTree.GetDescendantsAndSelf(ProcessId);
        Kill(new ReplFailureException(ReplFailureKind.Exited, "The REPL session was shut down."));
        KillSurvivors(tree);
        _process.Dispose();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_recentStderr)
        {
            _recentStderr.Enqueue(line);
            while (_recentStderr.Count > KeptStderrLines)
            {
                _recentStderr.Dequeue();
            }
        }

        _logger.LogInformation("{Name} stderr: {Line}", Name, line);
    }
}
