namespace MlAspire.Hosting;

/// <summary>The last N lines of one replica, overwritten oldest first.</summary>
internal sealed class LogRing(int capacity)
{
    private readonly LogLine?[] _lines = new LogLine?[Math.Max(capacity, 1)];
    private readonly Lock _gate = new();
    private long _count;

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public LogLine Add(Func<long, LogLine> create)
    {
        lock (_gate)
        {
            var line = create(++_count);
            _lines[(_count - 1) % _lines.Length] = line;
            return line;
        }
    }

    public LogLine[] Snapshot(int? last = null)
    {
        lock (_gate)
        {
            var kept = (int)Math.Min(_count, _lines.Length);
            var take = Math.Min(kept, last ?? kept);
            var result = new LogLine[take];
            for (var i = 0; i < take; i++)
            {
                result[i] = _lines[(_count - take + i) % _lines.Length]!;
            }

            return result;
        }
    }
}
