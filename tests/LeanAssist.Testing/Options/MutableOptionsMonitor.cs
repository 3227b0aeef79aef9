using Microsoft.Extensions.Options;

namespace LeanAssist.Testing.Options;

/// <summary>An <see cref="IOptionsMonitor{TOptions}"/> whose value a test replaces, notifying listeners as a settings change would.</summary>
public sealed class MutableOptionsMonitor<TOptions>(TOptions initial) : IOptionsMonitor<TOptions>
{
    private readonly Lock _gate = new();
    private readonly List<Action<TOptions, string?>> _listeners = [];
    private TOptions _current = initial;

    public TOptions CurrentValue
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public TOptions Get(string? name) => CurrentValue;

    public void Set(TOptions value)
    {
        Action<TOptions, string?>[] listeners;
        lock (_gate)
        {
            _current = value;
            listeners = _listeners.ToArray();
        }

        foreach (var listener in listeners)
        {
            listener(value, Microsoft.Extensions.Options.Options.DefaultName);
        }
    }

    public IDisposable? OnChange(Action<TOptions, string?> listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        return new Subscription(() =>
        {
            lock (_gate)
            {
                _listeners.Remove(listener);
            }
        });
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
