namespace MlAspire.Hosting;

/// <summary>What run mode knows when it turns an expression into text: the replica being configured and
/// the values chosen for this run (ports, parameter values).</summary>
internal sealed record ResolutionContext(Resource Self, int SelfReplica, IRunValues Values);
