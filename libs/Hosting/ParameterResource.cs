using Microsoft.Extensions.Configuration;

namespace MlAspire.Hosting;

/// <summary>An external value (<c>parameter.v0</c>) read from configuration <c>Parameters:&lt;name&gt;</c>
/// (env <c>Parameters__&lt;name&gt;</c>). A secret is never written to the console or the manifest.</summary>
public class ParameterResource : Resource
{
    private readonly Lock _gate = new();
    private string? _value;

    internal ParameterResource(string name, bool secret, GenerateParameterDefault? generateDefault)
        : base(name)
    {
        Secret = secret;
        GenerateDefault = generateDefault;
    }

    public bool Secret { get; }

    public GenerateParameterDefault? GenerateDefault { get; }

    public override string ManifestType => "parameter.v0";

    public override bool IsRunnable => false;

    /// <summary>The configuration key the value comes from.</summary>
    public virtual string ConfigurationKey => $"Parameters:{Name}";

    public ParameterValueReference ValueReference => new(this);

    public override string ToString() => $"Parameter '{Name}'";

    /// <summary>Reads the value (once per run): configuration first, then the generated default.</summary>
    internal bool TryGetValue(IConfiguration configuration, out string value)
    {
        lock (_gate)
        {
            _value ??= configuration[ConfigurationKey] ?? (GenerateDefault is null ? null : SecretGenerator.Generate(GenerateDefault));
            value = _value ?? string.Empty;
            return _value is not null;
        }
    }
}
