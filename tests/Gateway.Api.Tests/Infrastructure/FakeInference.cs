using System.Collections.Concurrent;
using Grpc.Core;

namespace MlAspire.Tests.Infrastructure;

/// <summary>
/// What the test inference server does: serves one model "digits" (FP32 [-1,1,28,28] → [-1,10], labels 0-9) and
/// records every ModelInfer batch. Its answer puts class 7 on top for every image.
/// </summary>
public sealed class FakeInference
{
    private int _failNext;

    public int MaxBatchSize { get; set; } = 8;

    public StatusCode FailureCode { get; set; } = StatusCode.Unavailable;

    /// <summary>How long each ModelInfer call takes before it answers.</summary>
    public TimeSpan InferDelay { get; set; } = TimeSpan.Zero;

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    private int _inferCalls;

    public int InferCalls => Volatile.Read(ref _inferCalls);

    /// <summary>The next <paramref name="count"/> ModelInfer calls fail with <see cref="FailureCode"/>.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    internal void CountCall() => Interlocked.Increment(ref _inferCalls);

    internal bool ShouldFail() => Interlocked.Decrement(ref _failNext) >= 0;
}
