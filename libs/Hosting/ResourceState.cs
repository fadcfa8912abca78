namespace MlAspire.Hosting;

/// <summary>Lifecycle state of one replica (names follow Aspire's known resource states).</summary>
public enum ResourceState
{
    NotStarted,
    Building,
    Waiting,
    Starting,
    Running,
    Exited,
    FailedToStart,
    Stopping,
    Finished,
}
