using System.Diagnostics;

namespace MlAspire.Preprocessing.Worker;

/// <summary>The worker's ActivitySource: one consumer span per batch of jobs, under the first job's trace.</summary>
internal static class WorkerTelemetry
{
    public const string Name = "MlAspire.Worker";

    public static readonly ActivitySource Source = new(Name);
}
