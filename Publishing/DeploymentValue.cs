using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>A value as deployed: literal text with the holes only a deployment fills — parameter values,
/// which publishing never writes (Kubernetes reads them from a Secret, Compose from <c>.env</c>).</summary>
internal sealed class DeploymentValue(IReadOnlyList<DeploymentValuePart> parts)
{
    public IReadOnlyList<DeploymentValuePart> Parts { get; } = parts;

    public bool IsLiteral => Parts.All(p => p.Parameter is null);

    public IEnumerable<ParameterResource> Parameters => Parts.Where(p => p.Parameter is not null).Select(p => p.Parameter!);

    public static DeploymentValue Literal(string text) => new([new DeploymentValuePart(text, null)]);

    /// <summary>Writes the value with <paramref name="parameter"/> for each hole and <paramref name="literal"/>
    /// escaping the text around it.</summary>
    public string Format(Func<ParameterResource, string> parameter, Func<string, string> literal) =>
        string.Concat(Parts.Select(p => p.Parameter is null ? literal(p.Literal!) : parameter(p.Parameter)));

    public string LiteralText => Format(_ => throw new InvalidOperationException("The value holds a parameter."), s => s);
}
