using Microsoft.Extensions.Configuration;

namespace MlAspire.Hosting.Orchestration;

/// <summary>The ports and parameter values of one run.</summary>
internal sealed class RunValues : IRunValues
{
    private readonly Dictionary<(Resource Resource, string Endpoint, int Replica), int> _ports;
    private readonly IConfiguration _configuration;

    private RunValues(Dictionary<(Resource, string, int), int> ports, IConfiguration configuration)
    {
        _ports = ports;
        _configuration = configuration;
    }

    public string Host => "127.0.0.1";

    /// <summary>Gives every replica's endpoint a port: the fixed one when set, else a distinct free loopback port.</summary>
    public static RunValues Allocate(IEnumerable<Resource> resources, IConfiguration configuration)
    {
        var wanted = new List<(Resource Resource, EndpointAnnotation Endpoint, int Replica)>();
        foreach (var resource in resources.Where(r => r.IsRunnable))
        {
            foreach (var endpoint in resource.Endpoints)
            {
                for (var i = 0; i < resource.Replicas; i++)
                {
                    wanted.Add((resource, endpoint, i));
                }
            }
        }

        var free = new Queue<int>(PortAllocator.AllocateDistinct(wanted.Count(w => w.Endpoint.Port is null)));
        var ports = new Dictionary<(Resource, string, int), int>();
        foreach (var (resource, endpoint, replica) in wanted)
        {
            ports[(resource, endpoint.Name, replica)] = endpoint.Port ?? free.Dequeue();
        }

        return new RunValues(ports, configuration);
    }

    public int GetPort(Resource resource, string endpointName, int replica) =>
        _ports.TryGetValue((resource, endpointName, replica), out var port)
            ? port
            : throw new DistributedApplicationException($"{resource} has no endpoint '{endpointName}' for replica {replica}.");

    public string GetParameterValue(ParameterResource parameter) =>
        parameter.TryGetValue(_configuration, out var value)
            ? value
            : throw new DistributedApplicationException($"{parameter} has no value: set configuration key '{parameter.ConfigurationKey}'.");
}
