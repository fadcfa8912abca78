namespace MlAspire.Hosting;

/// <summary>A parameter's value: <c>{name.value}</c>.</summary>
public sealed class ParameterValueReference : ValueReference
{
    internal ParameterValueReference(ParameterResource parameter) => Parameter = parameter;

    public ParameterResource Parameter { get; }

    public override Resource Resource => Parameter;

    public override string ManifestExpression => $"{{{Parameter.Name}.value}}";

    internal override string Resolve(ResolutionContext context) => context.Values.GetParameterValue(Parameter);
}
