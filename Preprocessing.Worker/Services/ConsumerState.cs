namespace MlAspire.Preprocessing.Worker.Services;

/// <summary>What the consume loop last did, for the health check.</summary>
internal sealed class ConsumerState
{
    private long _lastTurnTicks;
    private volatile string? _lastError;

    public string Consumer { get; set; } = "";

    public bool Started => Interlocked.Read(ref _lastTurnTicks) != 0;

    public DateTimeOffset LastTurn => new(Interlocked.Read(ref _lastTurnTicks), TimeSpan.Zero);

    public string? LastError => _lastError;

    public void Turned(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _lastTurnTicks, now.UtcTicks);
        _lastError = null;
    }

    public void Faulted(string error) => _lastError = error;
}
