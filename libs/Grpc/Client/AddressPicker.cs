namespace MlAspire.Grpc.Internal;

/// <summary>Round-robin over the channel's addresses, skipping those whose last call failed to connect.</summary>
internal sealed class AddressPicker(IReadOnlyList<Uri> addresses, TimeSpan backoff)
{
    private readonly long[] _skipUntil = new long[addresses.Count];
    private int _next = -1;

    public IReadOnlyList<Uri> Addresses => addresses;

    public int Pick()
    {
        var count = addresses.Count;
        if (count == 1)
        {
            return 0;
        }

        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        var now = Environment.TickCount64;
        for (var i = 0; i < count; i++)
        {
            var index = (start + i) % count;
            if (Volatile.Read(ref _skipUntil[index]) <= now)
            {
                return index;
            }
        }

        return start; // Every address is backing off: try anyway rather than fail without trying.
    }

    public void ReportConnectFailure(int index) =>
        Volatile.Write(ref _skipUntil[index], Environment.TickCount64 + (long)backoff.TotalMilliseconds);

    public void ReportSuccess(int index)
    {
        if (Volatile.Read(ref _skipUntil[index]) != 0)
        {
            Volatile.Write(ref _skipUntil[index], 0);
        }
    }
}
