namespace MlAspire.Hosting;

/// <summary>The concrete values of one run: allocated ports and resolved parameters.</summary>
internal interface IRunValues
{
    /// <summary>The host every endpoint binds to in run mode (loopback).</summary>
    string Host { get; }

    int GetPort(Resource resource, string endpointName, int replica);

    string GetParameterValue(ParameterResource parameter);
}
