namespace MlAspire.Hosting;

/// <summary>A named part of the distributed application (Aspire's <c>IResource</c>): a project, an executable,
/// a container, Redis, a parameter. Builders add annotations; run mode and the publishers read them.</summary>
public abstract class Resource
{
    private readonly List<EndpointAnnotation> _endpoints = [];
    private readonly List<EnvironmentEntry> _environment = [];
    private readonly List<ReferenceExpression> _args = [];
    private readonly List<Resource> _waitFor = [];
    private readonly List<Resource> _references = [];

    protected Resource(string name)
    {
        ResourceNames.ThrowIfInvalid(name);
        Name = name;
    }

    public string Name { get; }

    /// <summary>The manifest resource type, e.g. <c>project.v0</c>.</summary>
    public abstract string ManifestType { get; }

    /// <summary>How many processes run mode starts for this resource (not written to the manifest).</summary>
    public int Replicas { get; internal set; } = 1;

    /// <summary>GPUs the resource wants; kept for the container/Kubernetes publishers, not in the manifest.</summary>
    public int GpuCount { get; internal set; }

    public HealthCheckAnnotation? HealthCheck { get; internal set; }

    public IReadOnlyList<EndpointAnnotation> Endpoints => _endpoints;

    public IReadOnlyList<EnvironmentEntry> Environment => _environment;

    public IReadOnlyList<ReferenceExpression> Args => _args;

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public IReadOnlyList<Resource> WaitForResources => _waitFor;

    /// <summary>Resources passed to <c>WithReference</c>, in call order.</summary>
    public IReadOnlyList<Resource> References => _references;

    /// <summary>Whether run mode starts this resource as a process (parameters and connection strings are values only).</summary>
    public virtual bool IsRunnable => true;

    public EndpointReference GetEndpoint(string name) => new(this, name);

    public override string ToString() => $"{GetType().Name} '{Name}'";

    internal void AddEndpoint(EndpointAnnotation endpoint) => _endpoints.Add(endpoint);

    internal void AddEnvironment(EnvironmentEntry entry)
    {
        if (entry is EnvironmentVariableEntry variable)
        {
            _environment.RemoveAll(e => e is EnvironmentVariableEntry existing && existing.Key == variable.Key);
        }

        _environment.Add(entry);
    }

    internal void AddArgs(IEnumerable<ReferenceExpression> args) => _args.AddRange(args);

    internal void AddWaitFor(Resource resource)
    {
        if (!_waitFor.Contains(resource))
        {
            _waitFor.Add(resource);
        }
    }

    internal void AddReference(Resource resource)
    {
        if (!_references.Contains(resource))
        {
            _references.Add(resource);
        }
    }
}
