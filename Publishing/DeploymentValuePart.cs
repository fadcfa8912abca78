using Aspire.Hosting.ApplicationModel;

namespace MlAspire.Publishing;

/// <summary>Literal text or a parameter's value.</summary>
internal readonly record struct DeploymentValuePart(string? Literal, ParameterResource? Parameter);
