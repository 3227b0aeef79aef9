using Microsoft.Extensions.Options;

namespace LeanAssist.Testing;

/// <summary>An IOptionsMonitor whose value a test sets; <see cref="Set"/> notifies listeners like a settings change.</summary>
public sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    where T : class
{
    private readonly List<Action<T, string?>> _listeners = [];

    public T CurrentValue { get; private set; } = value;

    public T Get(string? name) => CurrentValue;

    public void Set(T value)
    {
        CurrentValue = value;
        Action<T, string?>[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(value, Options.DefaultName);
        }
    }

    public IDisposable? OnChange(Action<T, string?> listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }

        return new Subscription(() =>
        {
            lock (_listeners)
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
